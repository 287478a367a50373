import { CancelledError, ConnectionLost, Failure } from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import { readBody } from "../../src/client/readBody.js";
import {
  PartialDownloadError,
  PotentialDataLoss,
  ResponseBodyTooLarge,
  ResponseFailed,
} from "../../src/errors.js";
import { cannedResponse, outcome } from "./helpers.js";

describe("readBody", () => {
  it("collects the body and fires on ResponseDone", () => {
    const canned = cannedResponse(200);
    const seen = outcome(readBody(canned.response));
    canned.body("ab");
    canned.body("cd");
    expect(seen.fired).toBe(false);
    canned.finish();
    expect(seen.result?.toString()).toBe("abcd");
  });

  it("gets a body that was complete before it was called", () => {
    const canned = cannedResponse(200);
    canned.body("early");
    canned.finish();
    expect(outcome(readBody(canned.response)).result?.toString()).toBe("early");
  });

  it("errbacks with PartialDownloadError holding the partial body on potential data loss", () => {
    const canned = cannedResponse(206);
    const seen = outcome(readBody(canned.response));
    canned.body("part");
    canned.finish(new Failure(new PotentialDataLoss()));
    const error = seen.failure?.value as PartialDownloadError;
    expect(error).toBeInstanceOf(PartialDownloadError);
    expect(error.status).toBe(206);
    expect(error.response?.toString()).toBe("part");
  });

  it("passes other failures on", () => {
    const canned = cannedResponse(200);
    const seen = outcome(readBody(canned.response));
    canned.finish(new Failure(new ResponseFailed([new Failure(new ConnectionLost())])));
    expect(seen.failure?.value).toBeInstanceOf(ResponseFailed);
  });

  it("aborts the connection when cancelled, and ignores what comes after", () => {
    const canned = cannedResponse(200);
    const d = readBody(canned.response);
    const seen = outcome(d);
    canned.body("x");
    d.cancel();
    expect(canned.aborted()).toBe(true);
    expect(seen.failure?.value).toBeInstanceOf(CancelledError);
    canned.finish(new Failure(new ResponseFailed([])));
    expect(seen.failure?.value).toBeInstanceOf(CancelledError);
  });

  it("aborts and fails past maxSize", () => {
    const canned = cannedResponse(200);
    const seen = outcome(readBody(canned.response, { maxSize: 3 }));
    canned.body("abc");
    expect(seen.fired).toBe(false);
    canned.body("d");
    expect(canned.aborted()).toBe(true);
    expect(seen.failure?.value).toBeInstanceOf(ResponseBodyTooLarge);
  });

  it("refuses a second deliverBody", () => {
    const canned = cannedResponse(200);
    readBody(canned.response);
    expect(() => readBody(canned.response)).toThrow(/already/);
  });
});
