/**
 * The progress line a crawl prints while it runs: on a terminal, one line rewritten in place;
 * otherwise (a pipe, a log file) a plain line every few seconds.
 * @packageDocumentation
 */
import { type IReactorTime, LoopingCall } from "@twisted-ts/core";
import type { CrawlerProcess } from "./crawler.js";

/** The numbers the progress line shows, summed over the crawls. */
export interface ProgressSnapshot {
  /** Responses received. */
  readonly responses: number;
  /** Responses by status code. */
  readonly statusCounts: ReadonlyMap<number, number>;
  /** Items scraped. */
  readonly items: number;
  /** Failed downloads. */
  readonly errors: number;
  /** Requests downloading now. */
  readonly inFlight: number;
  /** Requests waiting in the schedulers. */
  readonly queued: number;
}

/**
 * The progress of every crawl of a process, summed.
 * @param process - the crawler process.
 * @returns the snapshot.
 */
export function processSnapshot(process: CrawlerProcess): ProgressSnapshot {
  const statusCounts = new Map<number, number>();
  let responses = 0;
  let items = 0;
  let errors = 0;
  let inFlight = 0;
  let queued = 0;
  for (const crawler of process.crawlers) {
    const engine = crawler.engine;
    if (engine === undefined) continue;
    const stats = engine.stats;
    responses += stats.responses;
    items += stats.items;
    errors += stats.downloadErrors;
    inFlight += engine.inFlight;
    queued += engine.scheduler.length;
    for (const [code, count] of stats.statusCounts)
      statusCounts.set(code, (statusCounts.get(code) ?? 0) + count);
  }
  return { responses, statusCounts, items, errors, inFlight, queued };
}

/**
 * One progress line: `crawled 25 pages (200×22 301×1 404×2), 3 items, 2 in flight, 4 queued, 12.5 pages/s`.
 * @param snapshot - the numbers.
 * @param elapsed - seconds since the crawl started.
 * @returns the line, without a line end.
 */
export function progressLine(snapshot: ProgressSnapshot, elapsed: number): string {
  const codes = [...snapshot.statusCounts]
    .sort(([a], [b]) => a - b)
    .map(([code, count]) => `${code}×${count}`)
    .join(" ");
  const rate = elapsed > 0 ? snapshot.responses / elapsed : 0;
  const parts = [
    `crawled ${snapshot.responses} page${snapshot.responses === 1 ? "" : "s"}${codes === "" ? "" : ` (${codes})`}`,
    `${snapshot.items} item${snapshot.items === 1 ? "" : "s"}`,
    `${snapshot.inFlight} in flight`,
    `${snapshot.queued} queued`,
  ];
  if (snapshot.errors > 0) parts.push(`${snapshot.errors} errors`);
  parts.push(`${rate.toFixed(1)} pages/s`);
  return parts.join(", ");
}

/** Where the progress goes: a writable stream, a terminal when `isTTY`. */
export interface ProgressStream {
  /** Whether it is a terminal (then the line is rewritten in place). */
  readonly isTTY?: boolean | undefined;
  /**
   * Write text.
   * @param text - the text.
   */
  write(text: string): unknown;
}

/** What `new ProgressReporter(source, options)` takes besides the source. */
export interface ProgressOptions {
  /** Where to write; standard error in the app. */
  stream: ProgressStream;
  /** The clock the line is redrawn on. */
  clock: IReactorTime;
  /** Seconds between lines: 0.1 on a terminal and 1 otherwise by default. */
  interval?: number;
}

/**
 * Shows a crawl's progress while it runs. On a terminal (`stream.isTTY`) one line is redrawn in
 * place (`\r` and erase-line) every `interval`; otherwise a line is written every `interval`
 * and only when something changed, so a log file does not fill with copies. `stop()` writes the
 * final line.
 */
export class ProgressReporter {
  /** Seconds between redraws. */
  readonly interval: number;
  /** How many lines (or redraws) were written. */
  writes = 0;
  private readonly stream: ProgressStream;
  private readonly clock: IReactorTime;
  private loop: LoopingCall | undefined = undefined;
  private startTime = 0;
  private last = "";

  /**
   * @param source - gives the numbers to show.
   * @param options - stream, clock and interval.
   */
  constructor(
    private readonly source: () => ProgressSnapshot,
    options: ProgressOptions,
  ) {
    this.stream = options.stream;
    this.clock = options.clock;
    this.interval = options.interval ?? (options.stream.isTTY === true ? 0.1 : 1);
  }

  /** Start drawing (a first line at once). */
  start(): void {
    if (this.loop !== undefined) return;
    this.startTime = this.clock.seconds();
    const loop = new LoopingCall(() => this.draw(false));
    loop.clock = this.clock;
    this.loop = loop;
    void loop.start(this.interval, true);
  }

  /** Stop drawing, and write the final line (ended, on a terminal, with a newline). */
  stop(): void {
    const loop = this.loop;
    if (loop === undefined) return;
    this.loop = undefined;
    if (loop.running) loop.stop();
    this.draw(true);
    if (this.stream.isTTY === true) this.stream.write("\n");
  }

  private draw(final: boolean): void {
    const line = progressLine(this.source(), this.clock.seconds() - this.startTime);
    if (this.stream.isTTY === true) {
      this.stream.write(`\r\x1b[2K${line}`);
    } else {
      const withoutRate = line.replace(/, [\d.]+ pages\/s$/, "");
      if (!final && withoutRate === this.last) return;
      this.last = withoutRate;
      this.stream.write(`${line}\n`);
    }
    this.writes += 1;
  }
}
