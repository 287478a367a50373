/**
 * CTCP (Client-To-Client Protocol) quoting and extraction, as in Twisted's `irc` module.
 * @packageDocumentation
 */

/** The CTCP delimiter, `\x01`. */
export const X_DELIM = "\x01";

/** One CTCP message: its tag (e.g. `"ACTION"`) and its data, or `null` when it had none. */
export type CTCPMessage = readonly [tag: string, data: string | null];

/** The pieces of a PRIVMSG or NOTICE text: CTCP messages and ordinary text. */
export interface CTCPExtraction {
  /** The CTCP messages, dequoted, with empty ones dropped. */
  extended: CTCPMessage[];
  /** The ordinary text between them, with empty pieces dropped. */
  normal: string[];
}

/**
 * X-quotes CTCP data: `\` becomes `\\` and `\x01` becomes `\a`.
 * @param text - the data to quote.
 * @returns the quoted data.
 */
export function ctcpQuote(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll(X_DELIM, "\\a");
}

/**
 * Undoes {@link ctcpQuote}: `\a` becomes `\x01` and `\\` becomes `\`; any other escaped
 * character stands for itself.
 * @param text - the quoted data.
 * @returns the data.
 */
export function ctcpDequote(text: string): string {
  return text.replace(/\\(.?)/gs, (_m, c: string) => (c === "a" ? X_DELIM : c));
}

/**
 * Splits a message text on `\x01`: odd pieces are CTCP messages (dequoted, then split at the
 * first space into tag and data), even pieces ordinary text. Empty pieces are dropped.
 * @param message - a PRIVMSG or NOTICE text.
 * @returns the CTCP messages and the ordinary text.
 */
export function ctcpExtract(message: string): CTCPExtraction {
  const extended: CTCPMessage[] = [];
  const normal: string[] = [];
  message.split(X_DELIM).forEach((piece, i) => {
    if (piece === "") return;
    if (i % 2 === 0) {
      normal.push(piece);
      return;
    }
    const text = ctcpDequote(piece);
    const space = text.indexOf(" ");
    extended.push(space < 0 ? [text, null] : [text.slice(0, space), text.slice(space + 1)]);
  });
  return { extended, normal };
}

/**
 * Builds the text of CTCP messages: each becomes `\x01TAG data\x01` (or `\x01TAG\x01` when its
 * data is `null` or empty), with the inner text X-quoted.
 * @param messages - the messages.
 * @returns the text to send in a PRIVMSG (a query) or NOTICE (a reply).
 */
export function ctcpStringify(messages: readonly CTCPMessage[]): string {
  return messages
    .map(([tag, data]) => `${X_DELIM}${ctcpQuote(data ? `${tag} ${data}` : tag)}${X_DELIM}`)
    .join("");
}
