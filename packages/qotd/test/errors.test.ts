import { TwistedError } from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import {
  InvalidQuoteError,
  NoQuotesError,
  QOTDError,
  QOTDUsageError,
  QuoteFileError,
  QuoteTooLongError,
} from "../src/errors.js";

describe("errors", () => {
  it("have stable codes and descend from QOTDError and TwistedError", () => {
    const cases: [Error, string][] = [
      [new NoQuotesError(["a.txt"]), "ERR_QOTD_NO_QUOTES"],
      [new QuoteFileError("a.txt", new Error("gone")), "ERR_QOTD_QUOTE_FILE"],
      [new InvalidQuoteError(1), "ERR_QOTD_INVALID_QUOTE"],
      [new QuoteTooLongError(10), "ERR_QOTD_QUOTE_TOO_LONG"],
      [new QOTDUsageError("bad"), "ERR_QOTD_USAGE"],
    ];
    for (const [error, code] of cases) {
      expect(error).toBeInstanceOf(QOTDError);
      expect(error).toBeInstanceOf(TwistedError);
      expect((error as QOTDError).code).toBe(code);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it("say what went wrong", () => {
    expect(new NoQuotesError([]).message).toBe("no fortune files were given");
    expect(new NoQuotesError(["a.txt", "b.txt"]).message).toBe('no quotes in "a.txt", "b.txt"');
    const cause = Object.assign(new Error("ENOENT: no such file"), { code: "ENOENT" });
    const error = new QuoteFileError("a.txt", cause);
    expect(error.message).toBe('cannot read the fortune file "a.txt": ENOENT: no such file');
    expect(error.cause).toBe(cause);
    expect(error.systemCode).toBe("ENOENT");
    expect(new InvalidQuoteError(null).message).toBe("a quoter must give a string, got null");
  });

  it("are recognised by code across copies, through the brand", () => {
    const foreign = Object.create(null) as object;
    expect(NoQuotesError.is(foreign)).toBe(false);
    expect(NoQuotesError.is(new NoQuotesError([]))).toBe(true);
    expect(QuoteFileError.is(new NoQuotesError([]))).toBe(false);
  });
});
