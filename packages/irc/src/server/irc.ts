/**
 * `IRC`: the server side of the IRC wire, Twisted's `twisted.words.protocols.irc.IRC`.
 * @packageDocumentation
 */
import { LineReceiver } from "@twisted-ts/basic";
import { Logger, transportOf } from "@twisted-ts/core";
import { IRCInjectionError, IRCLineTooLongError } from "../errors.js";
import { decodeLine } from "../message/decode.js";
import { type IRCMessage, MAX_MESSAGE_BYTES, MAX_TAG_BYTES } from "../message/message.js";
import { parseMessage } from "../message/parse.js";
import { serializeMessage } from "../message/serialize.js";

const log = new Logger({ namespace: "twisted-ts.words.service" });
const CRLF = Buffer.from("\r\n");
const LINE_BREAKING = /[\0\r\n]/;
const COMMAND = /^[A-Za-z0-9]+$/;
/** Commands whose last parameter is text, always sent in trailing form (after ` :`). */
/** Numerics whose last parameter is a token, not text: never forced into trailing form. */
const TOKEN_NUMERICS = new Set(["004", "221", "324", "329", "333", "341", "367"]);
const NUMERIC = /^[0-9]{3}$/;
const TEXT_AT: Readonly<Record<string, number>> = {
  PRIVMSG: 2,
  NOTICE: 2,
  TOPIC: 2,
  PART: 2,
  KICK: 3,
  QUIT: 1,
  ERROR: 1,
};

/** What an `irc_<COMMAND>` handler of {@link IRC} is called with. */
export type IRCServerHandler = (prefix: string, params: string[], message: IRCMessage) => void;

/**
 * Cuts the last parameter of a serialised line so that the line fits `limit` bytes, at a
 * code-point boundary. Lines that cannot be fitted that way are returned unchanged.
 */
function fitLine(line: string, command: string, params: readonly string[], prefix?: string) {
  const limit = MAX_MESSAGE_BYTES - 2;
  const size = Buffer.byteLength(line, "utf8");
  if (size <= limit || params.length === 0) return line;
  const last = Buffer.from(params[params.length - 1] as string, "utf8");
  let keep = last.length - (size - limit) - 1; // -1: the `:` the cut text may now need
  if (keep < 0) return line;
  while (keep > 0 && ((last[keep] as number) & 0xc0) === 0x80) keep--;
  const cut = last.subarray(0, keep).toString("utf8");
  return serializeMessage({
    command,
    params: [...params.slice(0, -1), cut],
    source: prefix,
    trailing: true,
  });
}

/**
 * The server side of an IRC connection: Twisted's `IRC` protocol, the base of a server's
 * per-connection protocol ({@link IRCUser} is the one of this package's chat server). It reads
 * lines, parses them and calls `irc_<COMMAND>(prefix, params, message)` (the command
 * upper-cased), or `irc_unknown` when there is no such method; it writes messages with
 * {@link IRC.sendMessage} and has Twisted's helpers for the common replies (`privmsg`, `notice`,
 * `join`, `part`, `names`, `who`, `whois`, `topic`, `channelMode`).
 *
 * Wire: lines end with `\n`, every `\r` is stripped; a line is decoded with `decodeLine`
 * (UTF-8, else latin-1) and parsed with `parseMessage`. The limit is 512 bytes of message plus
 * 8191 bytes of IRCv3 tags: a longer line calls {@link IRC.lineTooLong} and is discarded up to
 * its end, and the connection goes on. Another malformed line goes to {@link IRC.badMessage}.
 * An exception from a handler is logged (namespace `twisted-ts.words.service`) and the
 * connection goes on. Lines are sent with `\r\n`.
 *
 * Differences from Twisted: `sendMessage` takes the parameters as an array and the prefix as a
 * third argument, refuses CR, LF and NUL with {@link IRCInjectionError} (Twisted raises
 * `ValueError` only for a missing command), and cuts a too-long last parameter so the line
 * fits 512 bytes; handlers also get the parsed message; IRCv3 tags are parsed.
 *
 * @typeParam F - the factory type.
 */
export class IRC<F = unknown> extends LineReceiver<F> {
  /** The server's name: the prefix of numerics and server messages. */
  hostname = "irc.twisted-ts.local";
  /** The longest line accepted, in bytes: 512 plus 8191 bytes of IRCv3 tags. */
  override MAX_LENGTH = MAX_MESSAGE_BYTES + MAX_TAG_BYTES;
  /** `\n`: received lines may end with `\n` or `\r\n`. */
  override delimiter: Buffer = Buffer.from("\n");
  /** Whether the rest of a too-long line is being skipped. */
  private _discarding = false;
  /** The lines that followed a too-long line in the same buffer, still to be read. */
  private _afterTooLong: Buffer | undefined = undefined;

  /**
   * Sends one line and `\r\n`.
   * @param line - the line, without its end: bytes, or a string sent as UTF-8.
   * @throws {@link IRCInjectionError} when a string line holds CR, LF or NUL.
   */
  override sendLine(line: Uint8Array | string): void {
    if (typeof line === "string" && LINE_BREAKING.test(line)) throw new IRCInjectionError("line");
    const bytes = typeof line === "string" ? Buffer.from(line, "utf8") : Buffer.from(line);
    transportOf(this).write(Buffer.concat([bytes, CRLF]));
  }

  /**
   * Sends one message: Twisted's `IRC.sendMessage`. The line is built with `serializeMessage`;
   * the last parameter gets a `:` when it needs one, and always for the text of PRIVMSG,
   * NOTICE, TOPIC, PART, QUIT, KICK and ERROR, and of numerics (but for 004, 221, 324, 329,
   * 333, 341 and 367, whose last parameter is a token). A numeric's middle parameter that
   * could not be sent as one (empty, with a space, starting with `:`: a name echoed from a
   * client) is cut to its first word, or `*`. When the line would be longer than 512 bytes,
   * the last parameter is cut (at a character boundary) to fit.
   * @param command - the command or three-digit numeric.
   * @param params - the parameters; the last gets a `:` when it needs one.
   * @param prefix - the source, e.g. `"nick!user@host"` or the server's name; none when unset.
   * @throws {@link IRCInjectionError} when anything holds CR, LF or NUL (nothing is sent).
   * @throws `IRCSerializeError` when the command or a middle parameter is malformed.
   */
  sendMessage(command: string, params: readonly string[] = [], prefix?: string): void {
    const numeric = NUMERIC.test(command);
    const trailing =
      TEXT_AT[command.toUpperCase()] === params.length ||
      (numeric && params.length > 1 && !TOKEN_NUMERICS.has(command));
    const last = params.length - 1;
    // A numeric echoes names from the client; one that cannot be a middle parameter (empty,
    // with a space, starting with `:`) is cut to its first word.
    const fitted = numeric
      ? params.map((p, i) => (i === last ? p : p.replace(/^:+/, "").split(" ")[0] || "*"))
      : [...params];
    const line = serializeMessage({ command, params: fitted, source: prefix, trailing });
    this.sendLine(fitLine(line, command, fitted, prefix));
  }

  /**
   * Takes bytes from the transport. Lines that followed a too-long line in the same chunk are
   * read too.
   * @param data - the bytes.
   * @returns what `LineReceiver.dataReceived` returned.
   */
  override dataReceived(data: Buffer): unknown {
    let why = super.dataReceived(data);
    while (this._afterTooLong !== undefined && !why) {
      const rest = this._afterTooLong;
      this._afterTooLong = undefined;
      why = super.dataReceived(rest);
    }
    return why;
  }

  /**
   * Called by `LineReceiver` with a line over `MAX_LENGTH`: skips it (up to its end) and calls
   * {@link IRC.lineTooLong}; the connection goes on.
   * @param buffer - the buffered bytes, from the start of the long line.
   * @returns `undefined`.
   */
  override lineLengthExceeded(buffer: Buffer): unknown {
    const end = buffer.indexOf(0x0a);
    if (end < 0) {
      if (this._discarding) return undefined;
      this._discarding = true;
    } else {
      this._afterTooLong = Buffer.from(buffer.subarray(end + 1));
    }
    this.lineTooLong();
    return undefined;
  }

  /**
   * Reads one line: strips `\r`, decodes and parses it, then calls {@link IRC.handleCommand}.
   * @param line - the line, without its `\n`.
   */
  override lineReceived(line: Buffer): void {
    if (this._discarding) {
      this._discarding = false;
      return;
    }
    const bytes = line.includes(0x0d) ? line.filter((b) => b !== 0x0d) : line;
    if (bytes.length === 0) return;
    const text = decodeLine(bytes);
    let message: IRCMessage;
    try {
      message = parseMessage(text);
    } catch (error) {
      if (error instanceof IRCLineTooLongError) this.lineTooLong();
      else this.badMessage(text, error);
      return;
    }
    this.handleCommand(message.command, message.source ?? "", message.params, message);
  }

  /**
   * Calls `irc_<COMMAND>` (the command upper-cased) with `(prefix, params, message)`, or
   * `irc_unknown(prefix, command, params, message)` when there is no such method. An exception
   * is logged and the connection goes on: Twisted's `IRC.handleCommand`.
   * @param command - the command, as received.
   * @param prefix - the source the client gave (usually `""`).
   * @param params - the parameters.
   * @param message - the parsed message, with its tags.
   */
  handleCommand(command: string, prefix: string, params: string[], message: IRCMessage): void {
    const name = command.toUpperCase();
    const handler = COMMAND.test(name)
      ? (this as unknown as Record<string, unknown>)[`irc_${name}`]
      : undefined;
    try {
      if (typeof handler === "function") {
        (handler as IRCServerHandler).call(this, prefix, params, message);
      } else {
        this.irc_unknown(prefix, name, params, message);
      }
    } catch (error) {
      log.failure("Error handling IRC command {command}", error, { command: name });
    }
  }

  /**
   * Called for a command with no `irc_*` method. The default logs it.
   * @param _prefix - the source.
   * @param command - the command, upper-cased.
   * @param _params - its parameters.
   * @param _message - the parsed message.
   */
  irc_unknown(_prefix: string, command: string, _params: string[], _message: IRCMessage): void {
    log.debug("Unhandled IRC command {command}", { command });
  }

  /** Called when a line is longer than the limits. The default logs it. */
  lineTooLong(): void {
    log.warn("Ignoring an IRC line over the length limit");
  }

  /**
   * Called with a line that could not be parsed (empty source, NUL, no command). The default
   * logs and ignores it.
   * @param line - the decoded line.
   * @param error - why it was refused.
   */
  badMessage(line: string, error: unknown): void {
    log.warn("Ignoring a malformed IRC line {line}: {error}", { line, error: String(error) });
  }

  // ---- Twisted's reply helpers ---------------------------------------------------------------

  /**
   * Sends a PRIVMSG from `sender` to `recip`.
   * @param sender - the sender's full source.
   * @param recip - the target (a nick or channel).
   * @param message - the text.
   */
  privmsg(sender: string, recip: string, message: string): void {
    this.sendMessage("PRIVMSG", [recip, message], sender);
  }

  /**
   * Sends a NOTICE from `sender` to `recip`.
   * @param sender - the sender's full source.
   * @param recip - the target.
   * @param message - the text.
   */
  notice(sender: string, recip: string, message: string): void {
    this.sendMessage("NOTICE", [recip, message], sender);
  }

  /**
   * Sends a CTCP ACTION (`/me`) from `sender` to `recip`.
   * @param sender - the sender's full source.
   * @param recip - the target.
   * @param message - the action.
   */
  action(sender: string, recip: string, message: string): void {
    this.privmsg(sender, recip, `\x01ACTION ${message}\x01`);
  }

  /**
   * Reports a channel's topic to `user` (332, or 331 when empty), or, with `author`, sends a
   * TOPIC change made by `author`.
   * @param user - the nick the reply is for.
   * @param channel - the channel.
   * @param topic - the topic.
   * @param author - who changed it, for a change.
   */
  topic(user: string, channel: string, topic: string, author?: string): void {
    if (author !== undefined) this.sendMessage("TOPIC", [channel, topic], author);
    else if (topic === "")
      this.sendMessage("331", [user, channel, "No topic is set."], this.hostname);
    else this.sendMessage("332", [user, channel, topic], this.hostname);
  }

  /**
   * Reports who set a topic and when (333).
   * @param user - the nick the reply is for.
   * @param channel - the channel.
   * @param author - who set it.
   * @param date - when, in seconds since the epoch.
   */
  topicAuthor(user: string, channel: string, author: string, date: number): void {
    this.sendMessage("333", [user, channel, author, String(Math.floor(date))], this.hostname);
  }

  /**
   * Sends a channel's names (353, as many lines as needed) and the end of the list (366).
   * @param user - the nick the reply is for.
   * @param channel - the channel.
   * @param names - the nicks, each with its status prefix.
   * @param kind - `"="` public, `"@"` secret, `"*"` private.
   */
  names(user: string, channel: string, names: readonly string[], kind = "="): void {
    this.nameReply(user, kind, channel, names);
    this.sendMessage("366", [user, channel, "End of /NAMES list."], this.hostname);
  }

  /**
   * Sends 353 lines for a channel, as many as the names need, without the 366 that ends them.
   * @param user - the nick the reply is for.
   * @param kind - `"="` public, `"@"` secret, `"*"` private.
   * @param channel - the channel (or `"*"`).
   * @param names - the nicks, each with its status prefix.
   */
  nameReply(user: string, kind: string, channel: string, names: readonly string[]): void {
    const head = `:${this.hostname} 353 ${user} ${kind} ${channel} :`;
    const room = MAX_MESSAGE_BYTES - 2 - Buffer.byteLength(head, "utf8");
    let line: string[] = [];
    let size = 0;
    for (const name of names) {
      const length = Buffer.byteLength(name, "utf8");
      if (line.length > 0 && size + 1 + length > room) {
        this.sendMessage("353", [user, kind, channel, line.join(" ")], this.hostname);
        line = [];
        size = 0;
      }
      size += (line.length > 0 ? 1 : 0) + length;
      line.push(name);
    }
    if (line.length > 0) {
      this.sendMessage("353", [user, kind, channel, line.join(" ")], this.hostname);
    }
  }

  /**
   * Sends WHO replies (352) and their end (315).
   * @param user - the nick the reply is for.
   * @param channel - the channel or mask asked about.
   * @param memberInfo - one entry per user: `[channel, username, host, server, nick, flags,
   *   hops, realName]`.
   */
  who(user: string, channel: string, memberInfo: readonly (readonly string[])[]): void {
    for (const [chan, username, host, server, nick, flags, hops, realName] of memberInfo) {
      this.sendMessage(
        "352",
        [
          user,
          chan ?? "*",
          username ?? "",
          host ?? "",
          server ?? "",
          nick ?? "",
          flags ?? "H",
          `${hops ?? "0"} ${realName ?? ""}`,
        ],
        this.hostname,
      );
    }
    this.sendMessage("315", [user, channel, "End of /WHO list."], this.hostname);
  }

  /**
   * Sends a channel's modes (324).
   * @param user - the nick the reply is for.
   * @param channel - the channel.
   * @param mode - the mode string, e.g. `"+nt"`.
   * @param args - the modes' parameters.
   */
  channelMode(user: string, channel: string, mode: string, ...args: string[]): void {
    this.sendMessage("324", [user, channel, mode, ...args], this.hostname);
  }

  /**
   * Sends a JOIN of `who` to `where`.
   * @param who - the joiner's full source.
   * @param where - the channel.
   */
  join(who: string, where: string): void {
    this.sendMessage("JOIN", [where], who);
  }

  /**
   * Sends a PART of `who` from `where`.
   * @param who - the leaver's full source.
   * @param where - the channel.
   * @param reason - the reason, if any.
   */
  part(who: string, where: string, reason?: string): void {
    this.sendMessage("PART", reason === undefined ? [where] : [where, reason], who);
  }
}
