/**
 * The finger RPC's messages: what a request and a response look like, and the pure functions
 * that encode and decode them. Each message is one JSON object in one netstring:
 *
 * ```
 * → 47:{"id":1,"method":"getUser","params":["moshez"]},
 * ← 37:{"id":1,"result":"Happy and well"},
 * → 40:{"id":2,"method":"getUsers","params":[]},
 * ← 30:{"id":2,"result":["moshez"]},
 * ← {"id":3,"error":{"code":"method-not-found","message":"no method frob"}}
 * ```
 *
 * `id` is a non-negative safe integer chosen by the client; the answer carries the same id and
 * answers may come out of order. An error about a request whose id could not be read has
 * `"id": null`.
 * @packageDocumentation
 */
import type { FingerRPCErrorCode } from "../errors.js";

/** The methods the server offers: PB's `remote_getUser` and `remote_getUsers`. */
export const RPC_METHODS = ["getUser", "getUsers"] as const;

/** One of {@link RPC_METHODS}. */
export type FingerRPCMethod = (typeof RPC_METHODS)[number];

/** What each method takes and returns. */
export interface FingerRPCSignatures {
  /** The status of one user. */
  getUser: { params: [user: string]; result: string };
  /** The names of every user. */
  getUsers: { params: []; result: string[] };
}

/** A call, as the client sends it. */
export interface FingerRPCRequest<M extends FingerRPCMethod = FingerRPCMethod> {
  /** Chosen by the client; echoed in the answer. */
  readonly id: number;
  /** The method. */
  readonly method: M;
  /** Its parameters. */
  readonly params: FingerRPCSignatures[M]["params"];
}

/** The error part of an error response. */
export interface FingerRPCErrorBody {
  /** Which error. */
  readonly code: FingerRPCErrorCode;
  /** For people. */
  readonly message: string;
}

/** An answer: a result, or an error. */
export type FingerRPCResponse =
  | { readonly id: number; readonly result: string | string[] }
  | { readonly id: number | null; readonly error: FingerRPCErrorBody };

const ERROR_CODES: ReadonlySet<string> = new Set<FingerRPCErrorCode>([
  "parse-error",
  "invalid-request",
  "method-not-found",
  "invalid-params",
  "too-large",
  "busy",
  "internal-error",
]);

/** A request that could not be accepted: the error to answer with, and the id if one was read. */
export interface RejectedRequest {
  /** The request's id, or null when it could not be read. */
  readonly id: number | null;
  /** What to answer. */
  readonly error: FingerRPCErrorBody;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function reject(id: number | null, code: FingerRPCErrorCode, message: string): RejectedRequest {
  return { id, error: { code, message } };
}

/**
 * Decode one request from a netstring's payload. Never throws: a payload that is not a valid
 * request comes back as a {@link RejectedRequest}.
 * @param payload - the netstring's payload (UTF-8 JSON).
 * @param maxUserLength - the longest user name `getUser` accepts, in characters.
 * @returns the request, or why it is rejected.
 */
export function decodeRequest(
  payload: Buffer,
  maxUserLength: number,
): FingerRPCRequest | RejectedRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    return reject(null, "parse-error", "the request is not UTF-8 JSON");
  }
  if (!isRecord(parsed)) return reject(null, "invalid-request", "the request is not an object");
  const id = isId(parsed.id) ? parsed.id : null;
  if (id === null) return reject(null, "invalid-request", "the request has no valid id");
  const { method } = parsed;
  const params = parsed.params ?? [];
  if (typeof method !== "string") return reject(id, "invalid-request", "the method is missing");
  if (!Array.isArray(params)) return reject(id, "invalid-request", "params is not an array");
  if (method === "getUser") {
    const [user] = params as unknown[];
    if (params.length !== 1 || typeof user !== "string") {
      return reject(id, "invalid-params", "getUser takes one string, the user");
    }
    if (user.length > maxUserLength) {
      return reject(id, "invalid-params", `the user name is longer than ${maxUserLength}`);
    }
    return { id, method, params: [user] };
  }
  if (method === "getUsers") {
    if (params.length !== 0) return reject(id, "invalid-params", "getUsers takes no parameters");
    return { id, method, params: [] };
  }
  return reject(id, "method-not-found", `no method ${JSON.stringify(method).slice(0, 64)}`);
}

/**
 * Whether a decoded value is a rejection rather than a request.
 * @param value - what {@link decodeRequest} returned.
 */
export function isRejected(value: FingerRPCRequest | RejectedRequest): value is RejectedRequest {
  return "error" in value;
}

/**
 * Decode one response from a netstring's payload.
 * @param payload - the netstring's payload.
 * @returns the response, or null when the payload is not one.
 */
export function decodeResponse(payload: Buffer): FingerRPCResponse | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(payload));
  } catch {
    return null;
  }
  if (!isRecord(parsed)) return null;
  const id = parsed.id === null ? null : isId(parsed.id) ? parsed.id : undefined;
  if (id === undefined) return null;
  if ("error" in parsed) {
    const { error } = parsed;
    if (!isRecord(error) || typeof error.code !== "string" || !ERROR_CODES.has(error.code)) {
      return null;
    }
    const message = typeof error.message === "string" ? error.message : "";
    return { id, error: { code: error.code as FingerRPCErrorCode, message } };
  }
  if (id === null) return null;
  const { result } = parsed;
  if (typeof result === "string") return { id, result };
  if (Array.isArray(result) && result.every((item) => typeof item === "string")) {
    return { id, result: result as string[] };
  }
  return null;
}

/**
 * Encode a message as the JSON a netstring carries.
 * @param message - a request or a response.
 * @returns its UTF-8 JSON.
 */
export function encodeMessage(message: FingerRPCRequest | FingerRPCResponse): Buffer {
  return Buffer.from(JSON.stringify(message), "utf8");
}
