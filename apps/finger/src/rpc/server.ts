/**
 * The finger RPC server: Perspective Broker's role in the tutorial (part 7, `finger21.tac`),
 * played by a small typed request/response protocol over netstrings with JSON bodies. See
 * `wire.ts` for the messages.
 * @packageDocumentation
 */
import type { NetstringParseError } from "@twisted-ts/basic";
import { NetstringReceiver } from "@twisted-ts/basic";
import {
  type Deferred,
  type Failure,
  type IAddress,
  maybeDeferred,
  ServerFactory,
} from "@twisted-ts/core";
import type { IFingerService } from "@twisted-ts/finger";
import {
  decodeRequest,
  encodeMessage,
  type FingerRPCRequest,
  type FingerRPCResponse,
  isRejected,
} from "./wire.js";

/** The limits of one RPC connection; every field has a default. */
export interface FingerRPCLimits {
  /** The longest request netstring payload, in bytes (65 536). */
  readonly maxLength: number;
  /** How many calls may be in flight on one connection (32). */
  readonly maxPending: number;
  /** The longest user name `getUser` accepts, in characters (256). */
  readonly maxUserLength: number;
  /** The longest answer payload, in bytes (1 MiB). */
  readonly maxResponseLength: number;
}

/** The default {@link FingerRPCLimits}. */
export const DEFAULT_RPC_LIMITS: FingerRPCLimits = {
  maxLength: 65_536,
  maxPending: 32,
  maxUserLength: 256,
  maxResponseLength: 1_048_576,
};

/**
 * Run one decoded request against a finger service: PB's `remote_getUser` and
 * `remote_getUsers`. Shared by the netstring server and the web's `/RPC2`.
 * @param service - the finger service.
 * @param request - the request.
 * @returns a Deferred of the result.
 */
export function dispatch(
  service: IFingerService,
  request: FingerRPCRequest,
): Deferred<string | string[]> {
  if (request.method === "getUser") {
    const [user] = request.params as [string];
    return maybeDeferred(() => service.getUser(user));
  }
  return maybeDeferred(() => service.getUsers());
}

/**
 * One server-side RPC connection. It answers each request with a response carrying the same
 * id, in the order the service answers. A request it cannot accept gets an error response and
 * the connection stays open; a broken netstring (bad length, missing comma, longer than
 * `MAX_LENGTH`) gets an error response with `id: null`, then the connection is dropped, as
 * NetstringReceiver does.
 *
 * Limits and their hooks: `MAX_LENGTH` (request size) → `handleParseError`; `maxPending` →
 * `tooManyPending`; `maxResponseLength` → `responseTooLarge`. Each hook answers with an error
 * response.
 */
export class FingerRPCServerProtocol extends NetstringReceiver<FingerRPCServerFactory> {
  /** The longest request payload, in bytes. */
  override MAX_LENGTH = DEFAULT_RPC_LIMITS.maxLength;
  /** How many calls may be in flight. */
  maxPending = DEFAULT_RPC_LIMITS.maxPending;
  /** The longest user name, in characters. */
  maxUserLength = DEFAULT_RPC_LIMITS.maxUserLength;
  /** The longest answer payload, in bytes. */
  maxResponseLength = DEFAULT_RPC_LIMITS.maxResponseLength;
  /** The calls in flight. */
  pending = 0;

  /**
   * @param service - the finger service; the factory's when not given.
   */
  constructor(private readonly ownService?: IFingerService) {
    super();
  }

  private get service(): IFingerService {
    const service = this.ownService ?? this.factory?.service;
    if (service === undefined) throw new Error("FingerRPCServerProtocol has no finger service");
    return service;
  }

  /** A netstring arrived: decode it and answer. */
  override stringReceived(payload: Buffer): void {
    const decoded = decodeRequest(payload, this.maxUserLength);
    if (isRejected(decoded)) {
      this.sendResponse(decoded);
      return;
    }
    if (this.pending >= this.maxPending) {
      this.tooManyPending(decoded);
      return;
    }
    this.pending++;
    dispatch(this.service, decoded)
      .addCallbacks(
        (result: string | string[]) => this.sendResponse({ id: decoded.id, result }),
        (_failure: Failure) =>
          this.sendResponse({
            id: decoded.id,
            error: { code: "internal-error", message: "Internal error in server" },
          }),
      )
      .addBoth(() => {
        this.pending--;
      });
  }

  /**
   * The netstring framing is broken: answer with an error (`too-large` for a length above
   * `MAX_LENGTH`, `parse-error` otherwise), then drop the connection.
   */
  override handleParseError(error: NetstringParseError): void {
    if (this.brokenPeer === 1) return;
    const code = error.kind === "too-long" ? "too-large" : "parse-error";
    this.sendResponse({ id: null, error: { code, message: error.message } });
    super.handleParseError(error);
  }

  /** Hook: a request arrived while `maxPending` calls are in flight. Answers `busy`. */
  tooManyPending(request: FingerRPCRequest): void {
    this.sendResponse({
      id: request.id,
      error: { code: "busy", message: `more than ${this.maxPending} calls in flight` },
    });
  }

  /** Hook: an answer is longer than `maxResponseLength`. Answers `too-large` instead. */
  responseTooLarge(id: number | null): void {
    this.sendResponse({
      id,
      error: { code: "too-large", message: `the answer is longer than ${this.maxResponseLength}` },
    });
  }

  /** Send one response, unless the connection is gone. */
  sendResponse(response: FingerRPCResponse): void {
    if (!this.connected) return;
    const payload = encodeMessage(response);
    if (payload.length > this.maxResponseLength && "result" in response) {
      this.responseTooLarge(response.id);
      return;
    }
    this.sendString(payload);
  }
}

/**
 * Builds {@link FingerRPCServerProtocol}s over one finger service: the tutorial's
 * `PBServerFactory(IPerspectiveFinger(f))`.
 *
 * ```ts
 * strportsService("tcp:8889", new FingerRPCServerFactory(service), reactor);
 * ```
 */
export class FingerRPCServerFactory extends ServerFactory<FingerRPCServerProtocol> {
  /** The limits every connection gets. */
  readonly limits: FingerRPCLimits;

  /**
   * @param service - the finger service the calls go to.
   * @param limits - overrides of {@link DEFAULT_RPC_LIMITS}.
   */
  constructor(
    readonly service: IFingerService,
    limits: Partial<FingerRPCLimits> = {},
  ) {
    super();
    this.limits = { ...DEFAULT_RPC_LIMITS, ...limits };
    this.noisy = false;
  }

  /** A connection for `addr`, with this factory's limits. */
  override buildProtocol(_addr: IAddress): FingerRPCServerProtocol {
    const protocol = new FingerRPCServerProtocol();
    protocol.factory = this;
    protocol.MAX_LENGTH = this.limits.maxLength;
    protocol.maxPending = this.limits.maxPending;
    protocol.maxUserLength = this.limits.maxUserLength;
    protocol.maxResponseLength = this.limits.maxResponseLength;
    return protocol;
  }
}
