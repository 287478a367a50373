/**
 * The RFC 1288 query: pure functions from a query line's bytes to a {@link FingerQuery} and
 * back. Nothing here touches a socket; `FingerProtocol` feeds it the line `LineReceiver` cuts.
 * @packageDocumentation
 */
import { FingerQueryError } from "./errors.js";

/** The longest query line accepted, in bytes, without its CRLF (1024). */
export const MAX_QUERY_LENGTH = 1024;

/**
 * One finger query, as RFC 1288 §2.3 defines it: `[/W] [user][@host…]`.
 *
 * | line            | long  | user  | hosts            |
 * |-----------------|-------|-------|------------------|
 * | `""`            | false | `""`  | `[]`             |
 * | `"/W"`          | true  | `""`  | `[]`             |
 * | `"joe"`         | false | `joe` | `[]`             |
 * | `"/W joe@a@b"`  | true  | `joe` | `["a", "b"]`     |
 */
export interface FingerQuery {
  /** Whether the client asked for the long ("verbose") form with `/W`. */
  readonly long: boolean;
  /** The user name; empty for a query about all users. */
  readonly user: string;
  /**
   * The hosts after `@`, in the order written (`user@a@b` gives `["a", "b"]`); empty when the
   * query is not a forwarding request. RFC 1288 forwards to the rightmost host.
   */
  readonly hosts: readonly string[];
  /**
   * Words the RFC does not allow after the user (`"joe extra"`), in order. Twisted treats
   * a line of several words as a `/W` query for the last word; this parser keeps the first word
   * as the user and reports the rest here, so the protocol can decide.
   */
  readonly extra: readonly string[];
}

/** RFC 1288 whitespace between tokens: spaces and tabs. */
const WORDS = /[ \t]+/;

/**
 * Parse a query line (without its CRLF). It never throws: any bytes give a query. The line is
 * decoded as UTF-8 (an invalid sequence becomes U+FFFD, so it matches no real user name); the
 * `/W` token is matched without regard to case (`/w` too), and only as a word of its own.
 * @param line - the line's bytes, or a string.
 * @returns the query.
 */
export function parseQuery(line: Uint8Array | string): FingerQuery {
  const text =
    typeof line === "string"
      ? line
      : Buffer.from(line.buffer, line.byteOffset, line.byteLength).toString("utf8");
  const words = text
    .replace(/\r$/, "")
    .split(WORDS)
    .filter((word) => word !== "");
  let long = false;
  if (words[0] !== undefined && words[0].toUpperCase() === "/W") {
    long = true;
    words.shift();
  }
  const [target = "", ...extra] = words;
  const at = target.indexOf("@");
  if (at === -1) return { long, user: target, hosts: [], extra };
  return { long, user: target.slice(0, at), hosts: target.slice(at + 1).split("@"), extra };
}

/**
 * Serialise a query into a line (without its CRLF): `/W ` when long, then the user and each
 * host after an `@`. `parseQuery(formatQuery(q))` gives `q` back (with no `extra` words) for
 * any query whose user and hosts hold no whitespace, `@`, CR or LF.
 * @param query - the query; `extra` is ignored.
 * @returns the line.
 * @throws FingerQueryError when the user or a host holds whitespace, `@`, CR, LF or NUL, or a
 *   host is empty.
 */
export function formatQuery(query: Pick<FingerQuery, "long" | "user" | "hosts">): string {
  const bad = /[\s@\0]/u;
  if (bad.test(query.user)) {
    throw new FingerQueryError(`cannot send the user name ${JSON.stringify(query.user)}`);
  }
  for (const host of query.hosts) {
    if (host === "" || bad.test(host)) {
      throw new FingerQueryError(`cannot send the host ${JSON.stringify(host)}`);
    }
  }
  const target = [query.user, ...query.hosts].join("@");
  if (query.long) return target === "" ? "/W" : `/W ${target}`;
  return target;
}
