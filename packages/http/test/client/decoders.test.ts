import { brotliCompressSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  BrotliDecoder,
  ContentDecoderAgent,
  GzipDecoder,
} from "../../src/client/contentDecoder.js";
import { UNKNOWN_LENGTH } from "../../src/client/iweb.js";
import { readBody } from "../../src/client/readBody.js";
import { ResponseFailed } from "../../src/errors.js";
import { Headers } from "../../src/headers.js";
import { cannedResponse, FakeAgent, outcome } from "./helpers.js";

const TEXT = "hello, decoded world ".repeat(500);

function decoderAgent(): { fake: FakeAgent; agent: ContentDecoderAgent } {
  const fake = new FakeAgent();
  return {
    fake,
    agent: new ContentDecoderAgent(fake, [
      ["gzip", GzipDecoder],
      ["br", BrotliDecoder],
    ]),
  };
}

/** Answer the fake's last call with `body` split into small pieces. */
function answer(
  fake: FakeAgent,
  headers: Record<string, string[]>,
  body: Buffer,
): ReturnType<typeof cannedResponse> {
  const call = fake.calls.at(-1);
  const canned = cannedResponse(200, headers, call?.uri);
  call?.deferred.callback(canned.response);
  for (let i = 0; i < body.length; i += 7) canned.body(body.subarray(i, i + 7));
  canned.finish();
  return canned;
}

describe("ContentDecoderAgent", () => {
  it("sends Accept-Encoding with the decoders' names", () => {
    const { fake, agent } = decoderAgent();
    agent.request("GET", "http://example.com/", new Headers({ "accept-encoding": ["zstd"] }));
    expect(fake.calls[0]?.headers?.getRawHeaders("accept-encoding")).toEqual(["gzip, br"]);
  });

  it.each([
    ["gzip", gzipSync],
    ["x-gzip", gzipSync],
    ["br", brotliCompressSync],
  ] as const)("decodes a %s body and removes Content-Encoding", async (name, compress) => {
    const { fake, agent } = decoderAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const encoded = compress(Buffer.from(TEXT));
    const canned = cannedResponse(200, {
      "content-encoding": [name],
      "content-length": [String(encoded.length)],
    });
    fake.calls[0]?.deferred.callback(canned.response);
    const response = seen.result;
    expect(response?.headers.hasHeader("content-encoding")).toBe(false);
    expect(response?.headers.hasHeader("content-length")).toBe(false);
    expect(response?.length).toBe(UNKNOWN_LENGTH);
    expect(response?.code).toBe(200);
    const body = readBody(response as never);
    for (let i = 0; i < encoded.length; i += 5) canned.body(encoded.subarray(i, i + 5));
    canned.finish();
    expect((await body).toString()).toBe(TEXT);
  });

  it("decodes stacked codings right to left", async () => {
    const { fake, agent } = decoderAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    answer(
      fake,
      { "content-encoding": ["br, gzip"] },
      gzipSync(brotliCompressSync(Buffer.from(TEXT))),
    );
    expect((await readBody(seen.result as never)).toString()).toBe(TEXT);
  });

  it("leaves a response with an unknown coding alone", () => {
    const { fake, agent } = decoderAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const canned = answer(fake, { "content-encoding": ["zstd"] }, Buffer.from("raw"));
    expect(seen.result).toBe(canned.response);
  });

  it("fails the body with ResponseFailed on corrupt data and aborts", async () => {
    const { fake, agent } = decoderAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const call = fake.calls[0];
    const canned = cannedResponse(200, { "content-encoding": ["gzip"] });
    call?.deferred.callback(canned.response);
    const body = readBody(seen.result as never);
    canned.body(Buffer.from("this is not gzip at all"));
    canned.finish();
    await expect(body).rejects.toBeInstanceOf(ResponseFailed);
  });

  it("fails a truncated gzip body", async () => {
    const { fake, agent } = decoderAgent();
    const seen = outcome(agent.request("GET", "http://example.com/"));
    const encoded = gzipSync(Buffer.from(TEXT));
    answer(fake, { "content-encoding": ["gzip"] }, encoded.subarray(0, encoded.length - 10));
    await expect(readBody(seen.result as never)).rejects.toBeInstanceOf(ResponseFailed);
  });
});
