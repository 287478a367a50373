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

declare module "irc-framework" {
  /** irc-framework's `Client` (an EventEmitter): only what P6b uses is declared. */
  class Client {
    /** @param options - e.g. `{ auto_reconnect: false }`. */
    constructor(options?: Record<string, unknown>);
    /** Connect and register. */
    connect(options: { host: string; port: number; nick: string }): void;
    /** Send a PRIVMSG. */
    say(target: string, message: string): void;
    /** Send QUIT. */
    quit(message?: string): void;
    /** Listen for an event (`registered`, `privmsg`, …). */
    on(event: string, listener: (...args: unknown[]) => void): this;
  }
  const IrcFramework: { Client: typeof Client };
  export default IrcFramework;
  export { Client };
}
