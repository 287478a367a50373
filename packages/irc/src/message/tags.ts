/**
 * IRCv3 tag value escaping (message-tags "Escaping values").
 * @packageDocumentation
 */

const UNESCAPES: Readonly<Record<string, string>> = {
  ":": ";",
  s: " ",
  "\\": "\\",
  r: "\r",
  n: "\n",
};

/**
 * Unescapes an IRCv3 tag value: `\:` → `;`, `\s` → space, `\\` → `\`, `\r` → CR, `\n` → LF.
 * A backslash before any other character is dropped (`\b` → `b`), as is a lone backslash at
 * the end. The value is read one character at a time, so `\\n` is `\` then `n`.
 *
 * @param value - the raw value, as it appears after `=` on the wire.
 * @returns the value as the sender meant it.
 */
export function unescapeTagValue(value: string): string {
  if (!value.includes("\\")) return value;
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c !== "\\") {
      out += c;
      continue;
    }
    i++;
    if (i >= value.length) break;
    const next = value[i] as string;
    out += UNESCAPES[next] ?? next;
  }
  return out;
}

/**
 * Escapes a tag value for the wire, the inverse of {@link unescapeTagValue}: `;` → `\:`,
 * space → `\s`, `\` → `\\`, CR → `\r`, LF → `\n`.
 *
 * @param value - the value to send.
 * @returns the escaped value.
 */
export function escapeTagValue(value: string): string {
  let out = "";
  for (const c of value) {
    switch (c) {
      case ";":
        out += "\\:";
        break;
      case " ":
        out += "\\s";
        break;
      case "\\":
        out += "\\\\";
        break;
      case "\r":
        out += "\\r";
        break;
      case "\n":
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}
