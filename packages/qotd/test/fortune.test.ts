import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { NoQuotesError, QuoteFileError } from "../src/errors.js";
import { FortuneQuoter, parseFortunes } from "../src/fortune.js";
import { StaticQuoter } from "../src/quoters.js";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** A random source that returns the given values in turn. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] as number;
}

const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "qotd-test-"));
  temps.push(dir);
  return dir;
}

describe("StaticQuoter", () => {
  it("gives the same quote every time, and the new one after a change", () => {
    const quoter = new StaticQuoter("Look before you leap.");
    expect(quoter.getQuote()).toBe("Look before you leap.");
    expect(quoter.getQuote()).toBe("Look before you leap.");
    quoter.quote = "Haste makes waste.";
    expect(quoter.getQuote()).toBe("Haste makes waste.");
  });
});

describe("parseFortunes", () => {
  it("splits on lines holding only %", () => {
    expect(parseFortunes("one\n%\ntwo\n%\nthree\n")).toEqual(["one", "two", "three"]);
  });

  it("keeps the lines of a multi-line quote, joined with LF, with their indentation", () => {
    expect(parseFortunes("first line\n  second line\n\t-- someone\n%\n")).toEqual([
      "first line\n  second line\n\t-- someone",
    ]);
  });

  it("ignores empty entries: leading, doubled and trailing separators, blank-only entries", () => {
    expect(parseFortunes("%\none\n%\n%\n\n  \n%\ntwo\n%\n%\n")).toEqual(["one", "two"]);
  });

  it("treats a % line with trailing whitespace as a separator and trims trailing whitespace", () => {
    expect(parseFortunes("one   \n%  \t\ntwo\t\n")).toEqual(["one", "two"]);
  });

  it("reads CRLF text as LF text", () => {
    expect(parseFortunes("one\r\nmore\r\n%\r\ntwo\r\n")).toEqual(["one\nmore", "two"]);
  });

  it("drops blank lines around a quote but keeps those inside it", () => {
    expect(parseFortunes("\n\nstart\n\nend\n\n%\n")).toEqual(["start\n\nend"]);
  });

  it("does not take a % inside a line, or %% , as a separator", () => {
    expect(parseFortunes("100% sure\n%%\n %\n")).toEqual(["100% sure\n%%\n %"]);
  });

  it("ignores a byte order mark and accepts a file without a final newline", () => {
    expect(parseFortunes("\ufeffone\n%\ntwo")).toEqual(["one", "two"]);
  });

  it("gives nothing for empty text and for separators only", () => {
    expect(parseFortunes("")).toEqual([]);
    expect(parseFortunes("%\n%\n\n%")).toEqual([]);
  });

  it("never gives an empty quote, a quote with a % line, or a line with trailing whitespace", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b c", "", " ", "%", "% ", "\t", "x\r", "%\r", "50%"), {
          maxLength: 30,
        }),
        fc.constantFrom("\n", "\r\n"),
        (lines, eol) => {
          for (const quote of parseFortunes(lines.join(eol))) {
            expect(quote.trim()).not.toBe("");
            for (const line of quote.split("\n")) {
              expect(line.trimEnd()).toBe(line);
              expect(line).not.toBe("%");
            }
          }
        },
      ),
    );
  });

  it("parses CRLF and LF versions of the same text alike", () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom("a", "b c", "", "%", "% ", "  d"), { maxLength: 20 }),
        (lines) => {
          expect(parseFortunes(lines.join("\r\n"))).toEqual(parseFortunes(lines.join("\n")));
        },
      ),
    );
  });
});

describe("FortuneQuoter", () => {
  it("parses the fixture: separators with trailing spaces, empty entries, attributions", async () => {
    const quoter = new FortuneQuoter([fixture("fortunes.txt")]);
    expect(await quoter.quotesIn(fixture("fortunes.txt"))).toEqual([
      "A journey of a thousand miles begins with a single step.",
      "Well begun is half done.",
      "The early bird catches the worm.",
      "Slow and steady wins the race.\n\t-- Aesop",
    ]);
  });

  it("parses a CRLF fixture", async () => {
    const quoter = new FortuneQuoter([fixture("crlf.txt")]);
    expect(await quoter.quotesIn(fixture("crlf.txt"))).toEqual([
      "Many hands make light work.",
      "Where there's a will, there's a way.\nEspecially on Mondays.",
    ]);
  });

  it("picks the quote the random source points at", async () => {
    const file = fixture("fortunes.txt");
    const quoter = new FortuneQuoter([file], { random: sequence(0, 0, 0, 0.5) });
    // One random number picks the file (one here), the next the quote.
    expect(await quoter.getQuote()).toBe(
      "A journey of a thousand miles begins with a single step.",
    );
    expect(await quoter.getQuote()).toBe("The early bird catches the worm.");
  });

  it("picks a file first, then a quote from it, as Twisted does", async () => {
    const quoter = new FortuneQuoter([fixture("single.txt"), fixture("crlf.txt")], {
      random: sequence(0.1, 0.9, 0.9, 0.9),
    });
    expect(await quoter.getQuote()).toBe("Practice makes perfect.");
    expect(await quoter.getQuote()).toBe(
      "Where there's a will, there's a way.\nEspecially on Mondays.",
    );
  });

  it("stays in range when the random source returns 1 or a negative number", async () => {
    const quoter = new FortuneQuoter([fixture("crlf.txt")], { random: sequence(1, 1, -1, -1) });
    expect(await quoter.getQuote()).toBe(
      "Where there's a will, there's a way.\nEspecially on Mondays.",
    );
    expect(await quoter.getQuote()).toBe("Many hands make light work.");
  });

  it("uses Math.random by default and only ever gives quotes from the file", async () => {
    const quoter = new FortuneQuoter([fixture("fortunes.txt")]);
    const all = await quoter.quotesIn(fixture("fortunes.txt"));
    for (let i = 0; i < 20; i++) expect(all).toContain(await quoter.getQuote());
  });

  it("rejects with QuoteFileError for a missing file, naming it, with ENOENT", async () => {
    const missing = fixture("no-such-file.txt");
    const quoter = new FortuneQuoter([missing]);
    const error = await quoter.getQuote().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuoteFileError);
    expect(error).toMatchObject({
      code: "ERR_QOTD_QUOTE_FILE",
      path: missing,
      systemCode: "ENOENT",
    });
    expect((error as Error).message).toContain("no-such-file.txt");
  });

  it("rejects with QuoteFileError for a directory", async () => {
    const quoter = new FortuneQuoter([fileURLToPath(new URL("./fixtures/", import.meta.url))]);
    await expect(quoter.getQuote()).rejects.toMatchObject({
      code: "ERR_QOTD_QUOTE_FILE",
      systemCode: "EISDIR",
    });
  });

  it("rejects with NoQuotesError for an empty file and a file of separators", async () => {
    for (const name of ["empty.txt", "separators-only.txt"]) {
      const quoter = new FortuneQuoter([fixture(name)]);
      const error = await quoter.getQuote().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoQuotesError);
      expect(error).toMatchObject({ code: "ERR_QOTD_NO_QUOTES", files: [fixture(name)] });
    }
  });

  it("refuses an empty list of files at once", () => {
    expect(() => new FortuneQuoter([])).toThrow(NoQuotesError);
  });

  it("load() counts the quotes of every file", async () => {
    const quoter = new FortuneQuoter([fixture("fortunes.txt"), fixture("crlf.txt")]);
    expect(await quoter.load()).toBe(6);
  });

  it("load() names every file without quotes, and fails on a missing file", async () => {
    const empty = new FortuneQuoter([
      fixture("empty.txt"),
      fixture("single.txt"),
      fixture("separators-only.txt"),
    ]);
    await expect(empty.load()).rejects.toMatchObject({
      files: [fixture("empty.txt"), fixture("separators-only.txt")],
    });
    const missing = new FortuneQuoter([fixture("single.txt"), fixture("nope.txt")]);
    await expect(missing.load()).rejects.toBeInstanceOf(QuoteFileError);
  });

  it("serves an edited file's new quotes, and keeps an unchanged file's cached quotes", async () => {
    const file = join(await tempDir(), "quotes.txt");
    await writeFile(file, "old one\n%\nold two\n");
    const quoter = new FortuneQuoter([file], { random: () => 0 });
    const first = await quoter.quotesIn(file);
    expect(first).toEqual(["old one", "old two"]);
    expect(await quoter.quotesIn(file)).toBe(first); // the same cached array
    await writeFile(file, "new\n");
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(await quoter.getQuote()).toBe("new");
  });

  it("shares one read between concurrent requests", async () => {
    const file = join(await tempDir(), "quotes.txt");
    await writeFile(file, "only\n");
    const quoter = new FortuneQuoter([file]);
    const [a, b] = await Promise.all([quoter.quotesIn(file), quoter.quotesIn(file)]);
    expect(a).toBe(b);
  });

  it("fails once the file is deleted, and serves again once it is back", async () => {
    const file = join(await tempDir(), "quotes.txt");
    await writeFile(file, "here\n");
    const quoter = new FortuneQuoter([file]);
    expect(await quoter.getQuote()).toBe("here");
    await rm(file);
    await expect(quoter.getQuote()).rejects.toBeInstanceOf(QuoteFileError);
    await writeFile(file, "back\n");
    expect(await quoter.getQuote()).toBe("back");
  });
});
