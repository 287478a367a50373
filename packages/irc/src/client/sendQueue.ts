/**
 * The client's outgoing token bucket.
 * @packageDocumentation
 */
import type { IDelayedCall, IReactorTime } from "@twisted-ts/core";

const SENT = Buffer.alloc(0);

/**
 * A token bucket in front of a writer: up to `burst` lines go out at once, then one line every
 * `rate` seconds. Urgent lines (PONG, CAP, AUTHENTICATE, registration) never wait: they are
 * written at once, ahead of everything queued, and still spend a token when one is left.
 */
export class SendQueue {
  private tokens: number;
  private last: number | null = null;
  private readonly queue: Buffer[] = [];
  private head = 0;
  private call: IDelayedCall | null = null;

  /**
   * @param write - writes one whole line (with its CRLF).
   * @param clock - what tells the time and schedules the next line.
   * @param rate - seconds per line once the burst is spent; `null` sends everything at once.
   * @param burst - how many lines may go out back to back.
   */
  constructor(
    private readonly write: (line: Buffer) => void,
    private readonly clock: () => IReactorTime,
    public rate: number | null,
    public burst: number,
  ) {
    this.tokens = burst;
  }

  /** How many lines are waiting. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  private refill(): void {
    const now = this.clock().seconds();
    if (this.last !== null && this.rate !== null && this.rate > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / this.rate);
    } else if (this.rate === null || this.rate <= 0) {
      this.tokens = this.burst;
    }
    this.last = now;
  }

  /**
   * Sends a line now or later.
   * @param line - the line with its CRLF.
   * @param urgent - whether it may jump the queue.
   */
  send(line: Buffer, urgent: boolean): void {
    if (this.rate === null || this.rate <= 0) {
      if (this.pending > 0) this.drain();
      this.write(line);
      return;
    }
    this.refill();
    if (urgent) {
      this.tokens = Math.max(0, this.tokens - 1);
      this.write(line);
      return;
    }
    if (this.pending === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      this.write(line);
      return;
    }
    this.queue.push(line);
    this.schedule();
  }

  private schedule(): void {
    if (this.call !== null || this.pending === 0) return;
    const rate = this.rate ?? 0;
    const wait = Math.max(0, (1 - this.tokens) * rate);
    this.call = this.clock().callLater(wait, () => {
      this.call = null;
      this.drain();
    });
  }

  /** Sends every queued line the bucket allows now (all of them when there is no rate). */
  drain(): void {
    this.refill();
    const unlimited = this.rate === null || this.rate <= 0;
    while (this.pending > 0 && (unlimited || this.tokens >= 1)) {
      const line = this.queue[this.head] as Buffer;
      this.queue[this.head++] = SENT;
      if (!unlimited) this.tokens -= 1;
      this.write(line);
    }
    if (this.head > 64 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.pending === 0) {
      this.queue.length = 0;
      this.head = 0;
    }
    this.schedule();
  }

  /**
   * Forgets every queued line and cancels the pending send.
   * @returns how many lines were dropped.
   */
  clear(): number {
    const dropped = this.pending;
    this.queue.length = 0;
    this.head = 0;
    if (this.call !== null) {
      if (this.call.active()) this.call.cancel();
      this.call = null;
    }
    return dropped;
  }
}
