/**
 * Parsing the arguments of MAIL and RCPT: the path and the ESMTP parameters.
 * @packageDocumentation
 */
import { SMTPServerError } from "../errors.js";
import type { MailParameters, RcptParameters } from "./interfaces.js";

/** A command argument split into its path and its parameters. */
export interface PathArgument {
  /** The path as written, `<…>` included when given. */
  readonly path: string;
  /** The parameters after it, as written. */
  readonly params: string;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/**
 * Split `FROM:<a@b> SIZE=10` (or `TO:…`) into its path and parameters.
 * @param rest - the text after the verb.
 * @param keyword - "FROM" or "TO".
 * @returns the parts, or null when the syntax is wrong.
 */
export function splitPath(rest: string, keyword: "FROM" | "TO"): PathArgument | null {
  const k = keyword.length;
  if (rest.length <= k || rest.slice(0, k).toUpperCase() !== keyword || rest[k] !== ":")
    return null;
  let i = k + 1;
  while (i < rest.length && isSpace(rest.charCodeAt(i))) i++;
  const start = i;
  if (rest[i] === "<") {
    let quoted = false;
    for (i++; i < rest.length; i++) {
      const c = rest[i];
      if (c === "\\") i++;
      else if (c === '"') quoted = !quoted;
      else if (c === ">" && !quoted) break;
    }
    if (i >= rest.length) return null;
    i++;
  } else {
    let quoted = false;
    for (; i < rest.length; i++) {
      const c = rest[i];
      if (c === "\\") i++;
      else if (c === '"') quoted = !quoted;
      else if (!quoted && isSpace(rest.charCodeAt(i))) break;
    }
    if (i === start) return null;
  }
  const path = rest.slice(start, i);
  if (i < rest.length && !isSpace(rest.charCodeAt(i))) return null;
  return { path, params: rest.slice(i).trim() };
}

/**
 * Decode xtext (RFC 3461 §4): `+XX` is the byte with that hex value.
 * @param text - the xtext.
 * @returns the decoded text.
 * @throws SMTPServerError 501 for a malformed `+XX`.
 */
export function decodeXtext(text: string): string {
  if (!text.includes("+")) return text;
  return text.replace(/\+([0-9A-Fa-f]{2})|\+/g, (_m, hex: string | undefined) => {
    if (hex === undefined) throw new SMTPServerError(501, "Bad xtext encoding", "5.5.4");
    return String.fromCharCode(Number.parseInt(hex, 16));
  });
}

/**
 * Split `KEY=VALUE KEY2` into a record with upper-cased keys.
 * @param params - the parameters text.
 * @returns the parameters.
 * @throws SMTPServerError 501 for an empty key or a key given twice.
 */
export function parseParameters(params: string): Record<string, string | true> {
  const out: Record<string, string | true> = Object.create(null) as Record<string, string | true>;
  if (params === "") return out;
  for (const item of params.split(/[ \t]+/)) {
    const eq = item.indexOf("=");
    const key = (eq < 0 ? item : item.slice(0, eq)).toUpperCase();
    if (key === "" || !/^[A-Z0-9][A-Z0-9-]*$/.test(key)) {
      throw new SMTPServerError(501, "Syntax error in parameters or arguments", "5.5.4");
    }
    if (key in out) throw new SMTPServerError(501, `Duplicate parameter ${key}`, "5.5.4");
    out[key] = eq < 0 ? true : item.slice(eq + 1);
  }
  return out;
}

const unsupported = (key: string): SMTPServerError =>
  new SMTPServerError(555, `Unsupported parameter ${key}`, "5.5.4");
const badValue = (key: string): SMTPServerError =>
  new SMTPServerError(501, `Bad value for parameter ${key}`, "5.5.4");

/**
 * Check the MAIL parameters an ESMTP server with SIZE, 8BITMIME, SMTPUTF8, DSN and AUTH takes.
 * @param params - the parameters text.
 * @param maxSize - the SIZE limit in octets, or null for none.
 * @returns the parameters.
 * @throws SMTPServerError 555 for an unknown parameter, 501 for a bad value, 552 for a SIZE
 *   past the limit.
 */
export function mailParameters(params: string, maxSize: number | null): MailParameters {
  const raw = parseParameters(params);
  let size: number | undefined;
  let body: "7BIT" | "8BITMIME" | undefined;
  let ret: "FULL" | "HDRS" | undefined;
  let envid: string | undefined;
  let auth: string | undefined;
  let smtputf8: boolean | undefined;
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case "SIZE":
        if (value === true || !/^\d{1,20}$/.test(value)) throw badValue(key);
        size = Number(value);
        if (maxSize !== null && size > maxSize) {
          throw new SMTPServerError(
            552,
            "Message size exceeds fixed maximum message size",
            "5.3.4",
          );
        }
        break;
      case "BODY": {
        const v = value === true ? "" : value.toUpperCase();
        if (v !== "7BIT" && v !== "8BITMIME") throw badValue(key);
        body = v;
        break;
      }
      case "SMTPUTF8":
        if (value !== true) throw badValue(key);
        smtputf8 = true;
        break;
      case "RET": {
        const v = value === true ? "" : value.toUpperCase();
        if (v !== "FULL" && v !== "HDRS") throw badValue(key);
        ret = v;
        break;
      }
      case "ENVID":
        if (value === true || value.length > 100) throw badValue(key);
        envid = decodeXtext(value);
        break;
      case "AUTH":
        if (value === true) throw badValue(key);
        auth = decodeXtext(value);
        break;
      default:
        throw unsupported(key);
    }
  }
  return { size, body, smtputf8, ret, envid, auth, raw };
}

const NOTIFY = new Set(["NEVER", "SUCCESS", "FAILURE", "DELAY"]);

/**
 * Check the RCPT parameters of DSN (NOTIFY, ORCPT).
 * @param params - the parameters text.
 * @returns the parameters.
 * @throws SMTPServerError 555 for an unknown parameter, 501 for a bad value.
 */
export function rcptParameters(params: string): RcptParameters {
  const raw = parseParameters(params);
  let notify: ("NEVER" | "SUCCESS" | "FAILURE" | "DELAY")[] | undefined;
  let orcpt: { addrType: string; address: string } | undefined;
  for (const [key, value] of Object.entries(raw)) {
    if (key === "NOTIFY") {
      if (value === true) throw badValue(key);
      const items = value.toUpperCase().split(",");
      if (!items.every((v) => NOTIFY.has(v)) || (items.includes("NEVER") && items.length > 1)) {
        throw badValue(key);
      }
      notify = items as ("NEVER" | "SUCCESS" | "FAILURE" | "DELAY")[];
    } else if (key === "ORCPT") {
      const semi = value === true ? -1 : value.indexOf(";");
      if (value === true || semi <= 0) throw badValue(key);
      orcpt = { addrType: value.slice(0, semi), address: decodeXtext(value.slice(semi + 1)) };
    } else {
      throw unsupported(key);
    }
  }
  return { notify, orcpt, raw };
}
