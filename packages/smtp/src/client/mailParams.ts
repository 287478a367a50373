/**
 * `mailParameters`: the ESMTP parameters of MAIL FROM (SIZE, BODY, SMTPUTF8), or why the
 * message cannot be sent to this server.
 * @packageDocumentation
 */
import type { MessageInfo } from "./message.js";
import { isAscii } from "./quote.js";

/**
 * MAIL FROM's parameters, or a local refusal: `reason` "size" (larger than the server's SIZE:
 * 552, RFC 1870 §6.1) or "smtputf8" (an address is not ASCII and the server lacks SMTPUTF8:
 * 553, RFC 6531).
 */
export interface MailParameters {
  /** Whether the message can be offered. */
  readonly ok: boolean;
  /** The parameters to send (empty when refused). */
  readonly params: readonly string[];
  /** Why it is refused, when it is. */
  readonly reason: "size" | "smtputf8" | undefined;
  /** The reply code of the refusal (0 when not refused). */
  readonly code: number;
  /** The text of the refusal ("" when not refused). */
  readonly resp: string;
}

/**
 * The server's SIZE limit: undefined without SIZE, 0 for "no fixed limit".
 * @param extensions - the EHLO extensions.
 */
export function sizeLimitOf(extensions: ReadonlyMap<string, string | null>): number | undefined {
  if (!extensions.has("SIZE")) return undefined;
  const value = Number.parseInt(extensions.get("SIZE") ?? "0", 10);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Work out MAIL FROM's parameters: `SIZE=<n>` when the server has SIZE and the size is known,
 * `BODY=8BITMIME` when it has 8BITMIME and the body has 8-bit bytes or is a stream (unknown),
 * `SMTPUTF8` when an address needs it.
 * @param extensions - the EHLO extensions (upper-case keywords).
 * @param info - what is known of the message.
 * @param addresses - the quoted sender and recipients.
 * @returns the parameters, or a local refusal.
 */
export function mailParameters(
  extensions: ReadonlyMap<string, string | null>,
  info: MessageInfo,
  addresses: readonly string[],
): MailParameters {
  const params: string[] = [];
  const limit = sizeLimitOf(extensions);
  const size = info.size;
  if (limit !== undefined && size !== undefined) {
    if (limit > 0 && size > limit) {
      const resp = `Message size exceeds fixed maximum message size (${size} > ${limit})`;
      return { ok: false, params: [], reason: "size", code: 552, resp };
    }
    params.push(`SIZE=${size}`);
  }
  if (extensions.has("8BITMIME") && info.eightBit !== false) params.push("BODY=8BITMIME");
  if (addresses.some((a) => !isAscii(a))) {
    if (!extensions.has("SMTPUTF8")) {
      const resp = "An address is not ASCII and the server does not offer SMTPUTF8";
      return { ok: false, params: [], reason: "smtputf8", code: 553, resp };
    }
    params.push("SMTPUTF8");
  }
  return { ok: true, params, reason: undefined, code: 0, resp: "" };
}
