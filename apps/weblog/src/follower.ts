/**
 * `LogFollower`: `tail -F` on the reactor. It polls a growing file with `callLater`, reads only
 * the bytes added since the last poll, and copes with the file being truncated or rotated.
 * @packageDocumentation
 */
import { open, stat } from "node:fs/promises";
import { type IDelayedCall, type IReactorTime, Logger } from "@twisted-ts/core";
import { LineBuffer } from "./lines.js";

const log = new Logger({ namespace: "weblog.follower" });

/** Which file a path or a handle is: the device and inode numbers. */
export interface FileIdentity {
  /** The device. */
  readonly dev: number;
  /** The inode. */
  readonly ino: number;
}

/** What `LogReader.stat` tells about a path. */
export interface LogFileStat extends FileIdentity {
  /** The size in bytes. */
  readonly size: number;
}

/** An open file, read at explicit positions. */
export interface OpenLogFile {
  /** Which file it is (it stays the same file after the path is renamed or replaced). */
  readonly identity: FileIdentity;
  /** The file's size now, in bytes. */
  size(): Promise<number>;
  /**
   * Read up to `length` bytes at `position`.
   * @returns the bytes read: fewer than `length` at the end of the file, none past it.
   */
  read(position: number, length: number): Promise<Buffer>;
  /** Close it. */
  close(): Promise<void>;
}

/**
 * How a `LogFollower` reaches the file system: by path (`stat`, `open`) and through the open
 * file. Every method returns a Promise, so reading never blocks the reactor. `nodeLogReader` is
 * the real one; tests pass an in-memory one.
 */
export interface LogReader {
  /**
   * What is at `path` now.
   * @returns its identity and size, or undefined when nothing is there.
   */
  stat(path: string): Promise<LogFileStat | undefined>;
  /** Open `path` for reading. */
  open(path: string): Promise<OpenLogFile>;
}

/** A `LogReader` over `node:fs/promises`: reads run on libuv's thread pool, off the loop. */
export const nodeLogReader: LogReader = {
  async stat(path: string): Promise<LogFileStat | undefined> {
    try {
      const s = await stat(path);
      return { dev: s.dev, ino: s.ino, size: s.size };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  },
  async open(path: string): Promise<OpenLogFile> {
    const handle = await open(path, "r");
    const s = await handle.stat();
    return {
      identity: { dev: s.dev, ino: s.ino },
      size: async () => (await handle.stat()).size,
      read: async (position, length) => {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        return buffer.subarray(0, bytesRead);
      },
      close: () => handle.close(),
    };
  },
};

/** Options of `new LogFollower`. */
export interface LogFollowerOptions {
  /** The clock to poll with (the reactor in a program, a `Clock` in tests). */
  clock: IReactorTime;
  /** The file system; `nodeLogReader` by default. */
  reader?: LogReader;
  /** Seconds between polls; 1 by default, as in the seed. */
  interval?: number;
  /** Read the file from its start rather than from its current end (false by default). */
  fromStart?: boolean;
  /** The longest line kept, in bytes; longer ones are dropped and counted. 16 KiB by default. */
  maxLineLength?: number;
  /** The most bytes read in one call; a poll reads as many chunks as there are new bytes. */
  chunkSize?: number;
}

/** What a `LogFollower` has counted. */
export interface FollowerCounts {
  /** Complete lines delivered. */
  lines: number;
  /** Lines dropped for passing `maxLineLength`. */
  overlong: number;
  /** Times the file got smaller than what had been read (copytruncate, `> file`). */
  truncations: number;
  /** Times a new file appeared at the path (logrotate's rename and create). */
  rotations: number;
  /** Polls that failed (the error is logged; the next poll tries again). */
  errors: number;
}

/**
 * Follows a growing log file, as `tail -F` does, without blocking: every `interval` seconds it
 * reads the bytes added since the last poll (with `fs.promises`, from the last offset) and hands
 * each complete line to `onLine`. The next poll is scheduled with `callLater` once this one has
 * finished, so polls never overlap.
 *
 * - It starts at the file's current end (unless `fromStart`); if the file does not exist yet,
 *   it waits for it and reads it from the start.
 * - A partial last line waits for its newline.
 * - Truncated (smaller than the offset, same file): it starts again at 0; the partial line is
 *   dropped.
 * - Rotated (another file at the path): it first reads what was added to the old file, then
 *   opens the new one and reads it from the start. While nothing is at the path (between the
 *   rename and the create), it keeps reading the old file.
 *
 * A truncation that is followed by enough new writes to pass the old offset before the next
 * poll cannot be told from growth; the lines written in between are then missed, as `tail -F`
 * misses them.
 */
export class LogFollower {
  /** The byte offset read up to in the open file. */
  offset = 0;
  /** What has happened so far. */
  readonly counts: FollowerCounts = {
    lines: 0,
    overlong: 0,
    truncations: 0,
    rotations: 0,
    errors: 0,
  };
  private readonly clock: IReactorTime;
  private readonly reader: LogReader;
  private readonly interval: number;
  private readonly fromStart: boolean;
  private readonly chunkSize: number;
  private readonly buffer: LineBuffer;
  private file: OpenLogFile | undefined = undefined;
  private call: IDelayedCall | undefined = undefined;
  private inFlight: Promise<void> | undefined = undefined;
  private running = false;
  private started = false;

  /**
   * @param path - the log file.
   * @param onLine - called with each complete line (UTF-8 decoded, without its ending).
   * @param options - the clock, and the rest.
   */
  constructor(
    readonly path: string,
    private readonly onLine: (line: string) => void,
    options: LogFollowerOptions,
  ) {
    this.clock = options.clock;
    this.reader = options.reader ?? nodeLogReader;
    this.interval = options.interval ?? 1;
    this.fromStart = options.fromStart ?? false;
    this.chunkSize = options.chunkSize ?? 65_536;
    this.buffer = new LineBuffer(options.maxLineLength);
  }

  /**
   * Open the file (positioned at its end) and start polling every `interval` seconds.
   * @returns a Promise that settles once the file is open (or known to be missing).
   */
  start(): Promise<void> {
    if (this.running) return this.whenIdle();
    this.running = true;
    return this.tick();
  }

  /**
   * Stop polling; a poll in progress finishes first, then the file is closed.
   * @returns a Promise that settles once the file is closed.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.started = false;
    if (this.call?.active()) this.call.cancel();
    this.call = undefined;
    await this.whenIdle();
    const file = this.file;
    this.file = undefined;
    await file?.close();
  }

  /** @returns a Promise that settles once no poll is in progress. */
  whenIdle(): Promise<void> {
    return this.inFlight ?? Promise.resolve();
  }

  /**
   * Poll once, then schedule the next poll.
   * @returns a Promise that settles once this poll is done.
   */
  private tick(): Promise<void> {
    this.call = undefined;
    const polling = this.poll()
      .catch((error: unknown) => {
        this.counts.errors++;
        log.failure("Error while following {path}", error, { path: this.path });
      })
      .finally(() => {
        this.inFlight = undefined;
        if (this.running) this.call = this.clock.callLater(this.interval, () => this.tick());
      });
    this.inFlight = polling;
    return polling;
  }

  private async poll(): Promise<void> {
    const first = !this.started;
    this.started = true;
    if (this.file === undefined) {
      if ((await this.reader.stat(this.path)) === undefined) return;
      await this.openAt(first && !this.fromStart ? "end" : "start");
    } else {
      const now = await this.reader.stat(this.path);
      if (now !== undefined && !sameFile(now, this.file.identity)) {
        await this.readToEnd(this.file);
        this.counts.rotations++;
        log.info("{path} was rotated; following the new file", { path: this.path });
        const old = this.file;
        this.file = undefined;
        await old.close();
        await this.openAt("start");
      }
    }
    if (this.file !== undefined) await this.readToEnd(this.file);
  }

  private async openAt(where: "start" | "end"): Promise<void> {
    const file = await this.reader.open(this.path);
    this.file = file;
    this.buffer.reset();
    this.offset = where === "end" ? await file.size() : 0;
  }

  /** Read what was added since `offset`, restarting at 0 when the file got smaller. */
  private async readToEnd(file: OpenLogFile): Promise<void> {
    const size = await file.size();
    if (size < this.offset) {
      this.counts.truncations++;
      log.info("{path} was truncated; reading it from the start", { path: this.path });
      this.offset = 0;
      this.buffer.reset();
    }
    while (this.offset < size && this.running) {
      const bytes = await file.read(this.offset, Math.min(this.chunkSize, size - this.offset));
      if (bytes.length === 0) break;
      this.offset += bytes.length;
      this.deliver(bytes);
    }
  }

  private deliver(bytes: Buffer): void {
    const { lines, overlong } = this.buffer.feed(bytes);
    this.counts.overlong += overlong;
    for (const line of lines) {
      this.counts.lines++;
      try {
        this.onLine(line.toString("utf8"));
      } catch (error) {
        log.failure("Error handling a line of {path}", error, { path: this.path });
      }
    }
  }
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
