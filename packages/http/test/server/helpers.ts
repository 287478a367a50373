/**
 * Unit-test helpers: a Site on a Clock, a channel on a StringTransport, and a response parser.
 */
import { IPv4Address } from "@twisted-ts/core";
import { Clock, StringTransport } from "@twisted-ts/core/testing";
import type { IRequest, RenderResult } from "../../src/iweb.js";
import { Resource } from "../../src/resource/resource.js";
import type { HTTPChannel } from "../../src/server/channel.js";
import { Site, type SiteOptions } from "../../src/server/site.js";

/** A leaf that answers GET with "hello" and POST with the body it got. */
export class Hello extends Resource {
  override isLeaf = true;
  render_GET(request: IRequest): RenderResult {
    return `hello ${request.uri}`;
  }
  render_POST(request: IRequest): RenderResult {
    return request.content.read();
  }
}

/** A connected channel with its transport, site and clock. */
export interface Connected {
  channel: HTTPChannel;
  transport: StringTransport;
  site: Site;
  clock: Clock;
  lines: string[];
  /** Feeds bytes (a string is latin-1). */
  feed(data: string | Buffer): void;
  /** Everything written so far, as latin-1. */
  out(): string;
}

/** Builds a site on a fresh clock and connects one channel. */
export function connect(
  root: Resource = new Hello(),
  options: SiteOptions = {},
  existing?: { site: Site; clock: Clock },
): Connected {
  const clock = existing?.clock ?? new Clock();
  const lines: string[] = [];
  const site =
    existing?.site ?? new Site(root, { clock, accessLog: (line) => lines.push(line), ...options });
  const channel = site.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 5555));
  const transport = new StringTransport({
    peerAddress: new IPv4Address("TCP", "127.0.0.1", 5555),
    hostAddress: new IPv4Address("TCP", "127.0.0.1", 8080),
  });
  channel.makeConnection(transport);
  return {
    channel,
    transport,
    site,
    clock,
    lines,
    feed(data) {
      channel.dataReceived(typeof data === "string" ? Buffer.from(data, "latin1") : data);
    },
    out() {
      return transport.value().toString("latin1");
    },
  };
}

/** A parsed response. */
export interface ParsedResponse {
  status: number;
  reason: string;
  headers: Map<string, string[]>;
  body: string;
}

/**
 * Parses the responses in a byte stream (Content-Length, chunked, or to the end).
 * @param text - latin-1 text of the stream.
 * @param heads - methods of the requests, to know which responses have no body.
 */
export function parseResponses(text: string, heads: boolean[] = []): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let at = 0;
  while (at < text.length) {
    const end = text.indexOf("\r\n\r\n", at);
    if (end === -1) throw new Error(`incomplete head: ${JSON.stringify(text.slice(at))}`);
    const [statusLine = "", ...headerLines] = text.slice(at, end).split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(statusLine);
    if (m === null) throw new Error(`bad status line ${JSON.stringify(statusLine)}`);
    const headers = new Map<string, string[]>();
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    at = end + 4;
    const status = Number(m[1]);
    let body = "";
    const head = heads[out.length] === true;
    if (status === 100) {
      out.push({ status, reason: m[2] ?? "", headers, body });
      heads.splice(out.length - 1, 0, head);
      continue;
    }
    if (head || status === 204 || status === 304) {
      // no body
    } else if (headers.get("transfer-encoding")?.[0] === "chunked") {
      for (;;) {
        const lineEnd = text.indexOf("\r\n", at);
        const size = Number.parseInt(text.slice(at, lineEnd), 16);
        at = lineEnd + 2;
        if (size === 0) {
          at = text.indexOf("\r\n", at) + 2;
          break;
        }
        body += text.slice(at, at + size);
        at += size + 2;
      }
    } else if (headers.has("content-length")) {
      const n = Number(headers.get("content-length")?.[0]);
      body = text.slice(at, at + n);
      at += n;
    } else {
      body = text.slice(at);
      at = text.length;
    }
    out.push({ status, reason: m[2] ?? "", headers, body });
  }
  return out;
}
