/**
 * Types for the one file of irc-framework (CommonJS, no type declarations of its own) that P6
 * imports: its line parser. Only the fields P6 reads are declared.
 */
declare module "irc-framework/src/irclineparser.js" {
  /** What `parseIrcLine` returns: an `IrcMessage` (irc-framework's `src/ircmessage.js`). */
  interface IrcFrameworkMessage {
    tags: Record<string, string | boolean>;
    prefix: string;
    nick: string;
    ident: string;
    hostname: string;
    command: string;
    params: string[];
  }
  /** Parses one IRC line (a trailing CR/LF is stripped). */
  function parseIrcLine(line: string): IrcFrameworkMessage;
  export = parseIrcLine;
}
