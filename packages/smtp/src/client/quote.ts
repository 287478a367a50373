/**
 * Addresses on the wire (`quoteaddr`) and reply types shared by the client's modules.
 * @packageDocumentation
 */
import { Address } from "../address.js";

/** One recipient's result: `[address, reply code, reply text]`. */
export type RecipientResult = readonly [address: string, code: number, resp: string];

/**
 * The address in angle brackets, as MAIL FROM and RCPT TO take it: Twisted's `quoteaddr`.
 * `"Name <a@b>"` gives `<a@b>`; `""` and `"<>"` give `<>`.
 * @param address - an address, as text or an {@link Address}.
 * @returns `<local@domain>`.
 * @throws {@link AddressError} when it is not an address (a CR or LF in it, for one).
 */
export function quoteaddr(address: string | Address): string {
  if (address instanceof Address) return `<${address.toString()}>`;
  const inner = /<([^<>]*)>/.exec(address);
  const text = inner === null ? address : `<${inner[1] ?? ""}>`;
  return `<${new Address(text).toString()}>`;
}

/**
 * Whether text is all ASCII (otherwise an address needs SMTPUTF8).
 * @param text - the text.
 */
export function isAscii(text: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point.
  return /^[\x00-\x7f]*$/.test(text);
}
