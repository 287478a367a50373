import { Headers } from "@twisted-ts/http";
import { describe, expect, it } from "vitest";
import { Request, Response } from "../src/http.js";
import { extractLinks, extractTitle } from "../src/links.js";
import { type PageItem, SiteSpider } from "../src/spiders.js";

function htmlResponse(url: string, html: string, type = "text/html; charset=utf-8"): Response {
  return new Response(
    url,
    200,
    new Headers({ "content-type": [type] }),
    Buffer.from(html),
    new Request(url),
  );
}

describe("Request and Response", () => {
  it("drops the fragment and refuses non-http URLs", () => {
    expect(new Request("http://a.test/x#frag").url).toBe("http://a.test/x");
    expect(() => new Request("ftp://a.test/")).toThrow(TypeError);
    expect(() => new Request("/relative")).toThrow();
    expect(String(new Request("http://a.test/"))).toBe("<GET http://a.test/>");
  });

  it("resolves links against the response's URL and follows them", () => {
    const response = htmlResponse("http://a.test/dir/page.html", "");
    expect(response.urljoin("other.html")).toBe("http://a.test/dir/other.html");
    expect(response.urljoin("/root")).toBe("http://a.test/root");
    const next = response.follow("../up.html", { meta: { depth: 1 } });
    expect(next.url).toBe("http://a.test/up.html");
    expect(next.meta).toEqual({ depth: 1 });
  });

  it("copies a request with changes through replace", () => {
    const callback = () => undefined;
    const request = new Request("http://a.test/", { callback, meta: { a: 1 } });
    const moved = request.replace({ url: "http://a.test/moved" });
    expect(moved.url).toBe("http://a.test/moved");
    expect(moved.callback).toBe(callback);
    expect(moved.meta).toEqual({ a: 1 });
  });
});

describe("links", () => {
  it("finds hrefs in every quoting style, decoded, skipping comments, scripts and javascript:", () => {
    const html = `<a href="a.html">a</a> <A HREF='b.html?x=1&amp;y=2'>b</A> <a class=x href=c.html>c</a>
      <!-- <a href="hidden.html"> --> <script>"<a href='s.html'>"</script>
      <a href="javascript:void(0)">j</a> <a href="mailto:x@y">m</a> <a name="n">no href</a>`;
    expect(extractLinks(html)).toEqual(["a.html", "b.html?x=1&y=2", "c.html"]);
  });

  it("reads the title, collapsing white space and decoding entities", () => {
    expect(extractTitle("<head><title>\n  Fish &amp; Chips \n</title></head>")).toBe(
      "Fish & Chips",
    );
    expect(extractTitle("<p>no title</p>")).toBeUndefined();
  });
});

describe("SiteSpider.parse", () => {
  it("yields the page's item, then a request per link on the same origin", () => {
    const spider = new SiteSpider(["http://a.test:8080/"]);
    const html = `<title>Home</title>
      <a href="/one.html">1</a><a href="two.html#x">2</a>
      <a href="http://other.test/">elsewhere</a><a href="http://a.test:9090/">other port</a>`;
    const outputs = [...spider.parse(htmlResponse("http://a.test:8080/dir/", html))];
    const [item, ...requests] = outputs;
    expect(item).toEqual({
      url: "http://a.test:8080/dir/",
      title: "Home",
      links: 4,
    } satisfies PageItem);
    expect(requests.map((r) => (r as Request).url)).toEqual([
      "http://a.test:8080/one.html",
      "http://a.test:8080/dir/two.html",
    ]);
    expect(requests.every((r) => r instanceof Request)).toBe(true);
  });

  it("yields nothing for a response that is not HTML", () => {
    const spider = new SiteSpider(["http://a.test/"]);
    const outputs = [
      ...spider.parse(htmlResponse("http://a.test/x.txt", '<a href="/y">', "text/plain")),
    ];
    expect(outputs).toEqual([]);
  });

  it("starts from start_urls, letting them past the duplicate filter", () => {
    const spider = new SiteSpider(["http://a.test/", "http://b.test/"]);
    const starts = [...spider.startRequests()];
    expect(starts.map((r) => [r.url, r.dontFilter])).toEqual([
      ["http://a.test/", true],
      ["http://b.test/", true],
    ]);
  });
});
