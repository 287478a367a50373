/**
 * The numeric replies the client names, as Twisted's `numeric_to_symbolic` does.
 * @packageDocumentation
 */

/**
 * Numeric replies mapped to the symbolic names used for `irc_<NAME>` handlers
 * (`"001"` → `"RPL_WELCOME"`). A numeric not in this table is dispatched as `irc_<digits>`.
 *
 * Differences from Twisted: a subset of Twisted's table (the replies a client usually meets);
 * `005` is `RPL_ISUPPORT` and `010` is `RPL_BOUNCE`, as Twisted dispatches them.
 */
export const NUMERIC_NAMES: Readonly<Record<string, string>> = Object.freeze({
  "001": "RPL_WELCOME",
  "002": "RPL_YOURHOST",
  "003": "RPL_CREATED",
  "004": "RPL_MYINFO",
  "005": "RPL_ISUPPORT",
  "010": "RPL_BOUNCE",
  "251": "RPL_LUSERCLIENT",
  "252": "RPL_LUSEROP",
  "253": "RPL_LUSERUNKNOWN",
  "254": "RPL_LUSERCHANNELS",
  "255": "RPL_LUSERME",
  "301": "RPL_AWAY",
  "305": "RPL_UNAWAY",
  "306": "RPL_NOWAWAY",
  "311": "RPL_WHOISUSER",
  "312": "RPL_WHOISSERVER",
  "313": "RPL_WHOISOPERATOR",
  "317": "RPL_WHOISIDLE",
  "318": "RPL_ENDOFWHOIS",
  "319": "RPL_WHOISCHANNELS",
  "331": "RPL_NOTOPIC",
  "332": "RPL_TOPIC",
  "353": "RPL_NAMREPLY",
  "366": "RPL_ENDOFNAMES",
  "372": "RPL_MOTD",
  "375": "RPL_MOTDSTART",
  "376": "RPL_ENDOFMOTD",
  "401": "ERR_NOSUCHNICK",
  "403": "ERR_NOSUCHCHANNEL",
  "421": "ERR_UNKNOWNCOMMAND",
  "422": "ERR_NOMOTD",
  "431": "ERR_NONICKNAMEGIVEN",
  "432": "ERR_ERRONEUSNICKNAME",
  "433": "ERR_NICKNAMEINUSE",
  "436": "ERR_NICKCOLLISION",
  "451": "ERR_NOTREGISTERED",
  "461": "ERR_NEEDMOREPARAMS",
  "462": "ERR_ALREADYREGISTRED",
  "464": "ERR_PASSWDMISMATCH",
  "465": "ERR_YOUREBANNEDCREEP",
  "471": "ERR_CHANNELISFULL",
  "473": "ERR_INVITEONLYCHAN",
  "474": "ERR_BANNEDFROMCHAN",
  "475": "ERR_BADCHANNELKEY",
  "482": "ERR_CHANOPRIVSNEEDED",
});
