/**
 * Fortune files and `FortuneQuoter`: quotes separated by a line holding only `%`.
 * @packageDocumentation
 */
import { readFile, stat } from "node:fs/promises";
import { NoQuotesError, QuoteFileError } from "./errors.js";
import type { IQuoter } from "./quoters.js";

/**
 * Split the text of a fortune file into its quotes. The format is the one of the Unix `fortune`
 * program: quotes separated by a line that holds only `%`.
 *
 * - Lines end with LF or CRLF; each line's trailing whitespace (spaces, tabs, CR) is removed,
 *   so `"%  "` is a separator too. Leading whitespace is kept (indented attributions stay).
 * - A byte order mark at the start is ignored.
 * - Blank lines at the start and end of a quote are dropped, and a quote left empty (two
 *   separators in a row, a separator at the start or end of the file) is ignored.
 * - Lines inside a quote are joined with `\n`.
 *
 * A pure function, so it can be tested (and reused) without files.
 *
 * @param text - the file's text.
 * @returns the quotes, in file order; empty when there are none.
 */
export function parseFortunes(text: string): string[] {
  const quotes: string[] = [];
  let lines: string[] = [];
  const flush = (): void => {
    let start = 0;
    let end = lines.length;
    while (start < end && lines[start] === "") start += 1;
    while (end > start && lines[end - 1] === "") end -= 1;
    if (end > start) quotes.push(lines.slice(start, end).join("\n"));
    lines = [];
  };
  const body = text.startsWith("\ufeff") ? text.slice(1) : text;
  for (const raw of body.split("\n")) {
    const line = raw.trimEnd();
    if (line === "%") flush();
    else lines.push(line);
  }
  flush();
  return quotes;
}

/** Options of `new FortuneQuoter(...)`. */
export interface FortuneQuoterOptions {
  /**
   * The source of randomness: a function returning a number in [0, 1), as `Math.random` does
   * (the default). Pass a seeded generator to make the choice reproducible in tests.
   */
  random?: () => number;
}

interface CacheEntry {
  /** The file's modification time, size and inode when it was read. */
  readonly stamp: string;
  readonly quotes: Promise<readonly string[]>;
}

/**
 * A quoter that gives a random quote from fortune files: Twisted's tutorial `FortuneQuoter`.
 * For each request it picks one of `files` at random, then one of that file's quotes at random
 * (the same two-step choice as Twisted's), see {@link parseFortunes} for the format.
 *
 * Files are read with `node:fs/promises`, so the event loop never blocks on the disk. Each
 * file's quotes are cached, and the cache is checked on every request with one `stat`: when the
 * file's modification time, size or inode has changed, it is read again. So an edited fortune
 * file is served from the next request on, and an unchanged one costs a `stat` rather than a
 * read and a parse. (An edit that keeps the size, within the file system's timestamp
 * resolution, can go unseen until the next change; replacing the file by renaming another over
 * it is always seen.) Concurrent requests share one read.
 *
 * Failures reject the Promise with a typed error, which the servers log before answering with
 * their fallback quote: a missing or unreadable file is a {@link QuoteFileError}, a file
 * without quotes a {@link NoQuotesError}. Call {@link load} at startup to find both at once.
 *
 * Differences from Twisted: Twisted reads the chosen file again on every request, blocking, and
 * splits it on `"\n%\n"` only (no CRLF files, no trailing whitespace, empty entries served as
 * empty quotes); here reads are asynchronous and cached, and the parsing is as described in
 * {@link parseFortunes}.
 */
export class FortuneQuoter implements IQuoter {
  /** The fortune files, as given. */
  readonly files: readonly string[];
  private readonly random: () => number;
  private readonly cache = new Map<string, CacheEntry>();

  /**
   * @param files - paths of fortune files (relative paths are relative to the process's
   *   working directory).
   * @param options - `random`, the source of randomness.
   * @throws NoQuotesError when `files` is empty.
   */
  constructor(files: readonly string[], options: FortuneQuoterOptions = {}) {
    if (files.length === 0) throw new NoQuotesError([]);
    this.files = Object.freeze([...files]);
    this.random = options.random ?? Math.random;
  }

  /**
   * A random quote from a random file.
   * @returns a Promise of the quote.
   * @throws (rejects with) QuoteFileError when the chosen file cannot be read, NoQuotesError
   *   when it holds no quote.
   */
  async getQuote(): Promise<string> {
    const file = this.pick(this.files);
    const quotes = await this.quotesIn(file);
    if (quotes.length === 0) throw new NoQuotesError([file]);
    return this.pick(quotes);
  }

  /**
   * Read every file now (through the cache), to find a missing file or one without quotes at
   * startup rather than on a request.
   * @returns a Promise of the number of quotes in all the files.
   * @throws (rejects with) the first file's QuoteFileError, or a NoQuotesError naming every
   *   file without quotes.
   */
  async load(): Promise<number> {
    const all = await Promise.all(this.files.map((file) => this.quotesIn(file)));
    const empty = this.files.filter((_file, i) => all[i]?.length === 0);
    if (empty.length > 0) throw new NoQuotesError(empty);
    return all.reduce((total, quotes) => total + quotes.length, 0);
  }

  /**
   * The quotes of one file, from the cache when the file has not changed since it was read.
   * @param file - the file's path.
   * @returns a Promise of its quotes (possibly none).
   * @throws (rejects with) QuoteFileError when the file cannot be read.
   */
  async quotesIn(file: string): Promise<readonly string[]> {
    let stamp: string;
    try {
      const info = await stat(file);
      stamp = `${info.mtimeMs}:${info.size}:${info.ino}`;
    } catch (error) {
      this.cache.delete(file);
      throw new QuoteFileError(file, error);
    }
    const hit = this.cache.get(file);
    if (hit?.stamp === stamp) return hit.quotes;
    const quotes = readFile(file, "utf8").then(
      (text): readonly string[] => Object.freeze(parseFortunes(text)),
      (error: unknown) => {
        throw new QuoteFileError(file, error);
      },
    );
    this.cache.set(file, { stamp, quotes });
    quotes.catch(() => {
      if (this.cache.get(file)?.quotes === quotes) this.cache.delete(file);
    });
    return quotes;
  }

  private pick<T>(items: readonly T[]): T {
    const i = Math.min(items.length - 1, Math.max(0, Math.floor(this.random() * items.length)));
    return items[i] as T;
  }
}
