/**
 * `PipelinedTransaction`: the replies to a pipelined MAIL, RCPT… and DATA (RFC 2920), matched
 * in order.
 * @packageDocumentation
 */
import type { RecipientResult } from "./quote.js";

/**
 * What the client does once a pipelined batch has its replies:
 * - `data`: DATA got 354 and someone was accepted: send the body;
 * - `bdat`: every RCPT has its reply and someone was accepted: send the body with BDAT;
 * - `emptyData`: DATA got 354 with nobody to deliver to: send "." alone, then end with
 *   `code` and `resp`;
 * - `done`: the transaction is over, with `code` and `resp`.
 */
export interface PipelineOutcome {
  /** What to do. */
  readonly kind: "data" | "bdat" | "emptyData" | "done";
  /** The transaction's final code (for `emptyData` and `done`; 0 otherwise). */
  readonly code: number;
  /** The transaction's final text (for `emptyData` and `done`; "" otherwise). */
  readonly resp: string;
}

const SUCCESS = [250, 251];

/**
 * The replies to `MAIL`, one `RCPT` per recipient and (unless BDAT follows) `DATA`, written
 * in one go. `reply` takes them in order and, at the last one, says what comes next. A refused
 * MAIL fails the transaction whatever the RCPTs say; no accepted recipient gives "No recipients
 * accepted" with the last RCPT's code, as Twisted does without pipelining.
 */
export class PipelinedTransaction {
  /** Each RCPT's result so far. */
  readonly results: RecipientResult[] = [];
  /** The recipients accepted so far. */
  readonly accepted: string[] = [];
  private stage = 0;
  private mailFailed: readonly [number, string] | undefined = undefined;
  private lastCode = 0;

  /**
   * @param recipients - the recipients, in the order of the RCPT commands.
   * @param withData - whether DATA was pipelined too (false when BDAT follows).
   */
  constructor(
    readonly recipients: readonly string[],
    readonly withData: boolean,
  ) {}

  /**
   * The next reply.
   * @param code - the reply code.
   * @param resp - the reply text.
   * @returns what to do, once the last reply is in; undefined before.
   */
  reply(code: number, resp: string): PipelineOutcome | undefined {
    const n = this.recipients.length;
    if (this.stage === 0) {
      if (code !== 250) this.mailFailed = [code, resp];
    } else if (this.stage <= n) {
      const address = this.recipients[this.stage - 1] as string;
      this.results.push([address, code, resp]);
      if (SUCCESS.includes(code) && this.mailFailed === undefined) this.accepted.push(address);
      this.lastCode = code;
    }
    this.stage++;
    if (this.stage <= n) return undefined;
    const failure = this.mailFailed ?? [this.lastCode, "No recipients accepted"];
    const ok = this.mailFailed === undefined && this.accepted.length > 0;
    if (!this.withData) {
      return ok
        ? { kind: "bdat", code: 0, resp: "" }
        : { kind: "done", code: failure[0], resp: failure[1] };
    }
    if (this.stage === n + 1) return undefined; // the DATA reply is next
    if (code === 354) {
      // RFC 2920 §3.1: DATA accepted with nobody to deliver to gets an empty message.
      return ok
        ? { kind: "data", code: 0, resp: "" }
        : { kind: "emptyData", code: failure[0], resp: failure[1] };
    }
    return ok ? { kind: "done", code, resp } : { kind: "done", code: failure[0], resp: failure[1] };
  }
}
