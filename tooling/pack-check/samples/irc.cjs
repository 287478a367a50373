const { parseMessage, stripFormatting, IRCClient } = require("@twisted-ts/irc");

if (parseMessage("PING :x").command !== "PING") throw new Error("parse");
if (stripFormatting("\x02bold\x02") !== "bold") throw new Error("strip");
if (typeof IRCClient !== "function") throw new Error("IRCClient");
console.log("irc cjs ok");
