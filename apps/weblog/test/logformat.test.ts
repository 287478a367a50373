import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { escapeXml, hitToXml, parseLogLine } from "../src/logformat.js";

const COMBINED =
  '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';
const COMMON = '192.168.1.20 - - [10/Oct/2000:13:55:36 +0000] "POST /form HTTP/1.1" 302 -';

describe("parseLogLine", () => {
  it("reads a Combined Log Format line", () => {
    expect(parseLogLine(COMBINED)).toEqual({
      host: "127.0.0.1",
      time: "10/Oct/2000:13:55:36 -0700",
      request: "GET /apache_pb.gif HTTP/1.0",
      status: 200,
      bytes: 2326,
      referer: "http://www.example.com/start.html",
      agent: "Mozilla/4.08 [en] (Win98; I ;Nav)",
    });
  });

  it("reads a Common Log Format line, with '-' bytes as 0 and no referer or agent", () => {
    expect(parseLogLine(COMMON)).toEqual({
      host: "192.168.1.20",
      time: "10/Oct/2000:13:55:36 +0000",
      request: "POST /form HTTP/1.1",
      status: 302,
      bytes: 0,
    });
  });

  it("unescapes quotes and backslashes inside quoted fields", () => {
    const hit = parseLogLine(
      String.raw`::1 - - [01/Jan/2024:00:00:00 +0100] "GET /a\"b\\c HTTP/1.1" 404 12 "-" "curl \"x\""`,
    );
    expect(hit?.request).toBe(String.raw`GET /a"b\c HTTP/1.1`);
    expect(hit?.referer).toBe("-");
    expect(hit?.agent).toBe('curl "x"');
  });

  it("ignores fields after the agent and a trailing carriage return", () => {
    expect(parseLogLine(`${COMBINED} 0.042 "upstream"\r`)?.agent).toBe(
      "Mozilla/4.08 [en] (Win98; I ;Nav)",
    );
  });

  it("keeps an empty request (a client that sent nothing)", () => {
    expect(parseLogLine('10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "" 400 0')?.request).toBe("");
  });

  it.each([
    ["an empty line", ""],
    ["garbage", "hello world"],
    ["a missing time", '1.2.3.4 - - "GET / HTTP/1.0" 200 1'],
    ["a bad time", '1.2.3.4 - - [yesterday] "GET / HTTP/1.0" 200 1'],
    ["an unquoted request", "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] GET / 200 1"],
    ["an unterminated request", '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / 200 1'],
    ["a status out of range", '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /" 600 1'],
    ["a non-numeric size", '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /" 200 lots'],
    ["a referer without an agent", '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /" 200 1 "-"'],
    ["a line cut short", COMBINED.slice(0, 60)],
  ])("returns undefined for %s", (_name, line) => {
    expect(parseLogLine(line)).toBeUndefined();
  });

  it("never throws on random text, and finds the fields of any well-formed line", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (line) => {
        parseLogLine(line);
      }),
    );
    const field = fc.string({ unit: "grapheme-ascii" }).map((s) => s.replace(/["\\\n\r]/g, "_"));
    fc.assert(
      fc.property(
        field,
        field,
        field,
        fc.integer({ min: 100, max: 599 }),
        fc.nat(),
        (request, referer, agent, status, bytes) => {
          const line = `10.1.2.3 - - [10/Oct/2000:13:55:36 -0700] "${request}" ${status} ${bytes} "${referer}" "${agent}"`;
          expect(parseLogLine(line)).toEqual({
            host: "10.1.2.3",
            time: "10/Oct/2000:13:55:36 -0700",
            request,
            status,
            bytes,
            referer,
            agent,
          });
        },
      ),
    );
  });
});

describe("escapeXml and hitToXml", () => {
  it("escapes the five XML specials and keeps tabs and newlines as references", () => {
    expect(escapeXml(`<a href="x">'&'</a>\t\n\r`)).toBe(
      "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;&#9;&#10;&#13;",
    );
  });

  it("replaces characters XML cannot carry with U+FFFD", () => {
    expect(escapeXml("a\u0000b\u001bc\uffff")).toBe("a\uFFFDb\uFFFDc\uFFFD");
  });

  it("makes one <hit/> element with the fields in order", () => {
    const hit = parseLogLine(COMBINED);
    if (hit === undefined) throw new Error("not parsed");
    expect(hitToXml(hit)).toBe(
      '<hit host="127.0.0.1" time="10/Oct/2000:13:55:36 -0700" request="GET /apache_pb.gif HTTP/1.0" status="200" bytes="2326" referer="http://www.example.com/start.html" agent="Mozilla/4.08 [en] (Win98; I ;Nav)"/>',
    );
  });

  it("leaves out referer and agent for a Common line, and escapes the request", () => {
    const hit = parseLogLine(
      '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /?a=<b>&c HTTP/1.0" 200 5',
    );
    if (hit === undefined) throw new Error("not parsed");
    expect(hitToXml(hit)).toBe(
      '<hit host="1.2.3.4" time="10/Oct/2000:13:55:36 -0700" request="GET /?a=&lt;b&gt;&amp;c HTTP/1.0" status="200" bytes="5"/>',
    );
  });
});
