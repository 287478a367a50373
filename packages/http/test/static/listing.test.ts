import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectoryLister, File, formatFileSize, quotePath } from "../../src/index.js";
import { type Fixture, get, makeFixture } from "./fixture.js";

let fixture: Fixture;
beforeAll(() => {
  fixture = makeFixture();
});
afterAll(() => fixture.cleanup());

/** The listing's rows: [class, href, text, size, type, encoding]. */
function rows(html: string): string[][] {
  const pattern =
    /<tr class="(odd|even)">\s*<td><a href="([^"]*)">([^<]*)<\/a><\/td>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>\s*<td>([^<]*)<\/td>\s*<\/tr>/g;
  return [...html.matchAll(pattern)].map((m) => m.slice(1));
}

describe("File directory listing", () => {
  it("lists directories first, then files, escaped, quoted and typed", async () => {
    const file = new File(fixture.root, { listDirectories: true });
    const { request, body, header } = await get(file, "/listed/");
    expect(request.code).toBe(200);
    expect(header("content-type")).toBe("text/html; charset=utf-8");
    const html = body.toString();
    expect(html).toContain("<title>Directory listing for /listed/</title>");
    expect(html).toContain(
      "<th>Filename</th><th>Size</th><th>Content type</th><th>Content encoding</th>",
    );
    expect(rows(html)).toEqual([
      ["odd", "adir/", "adir/", "", "[Directory]", ""],
      ["even", "zdir/", "zdir/", "", "[Directory]", ""],
      [
        "odd",
        "%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.txt",
        "&#60;img src=x onerror=alert(1)&#62;.txt",
        "1B",
        "[text/plain]",
        "",
      ],
      [
        "even",
        "a%26b%20%22q%22%20%27s%27.txt",
        "a&#38;b &#34;q&#34; &#39;s&#39;.txt",
        "1B",
        "[text/plain]",
        "",
      ],
      ["odd", "javascript%3Aalert%281%29", "javascript:alert(1)", "1B", "[text/html]", ""],
      ["even", "sp%20ace.txt", "sp ace.txt", "2K", "[text/plain]", ""],
    ]);
    expect(html).not.toContain("<img");
    expect(html).not.toContain(".hidden");
    expect(html).not.toContain("broken");
    expect(html).not.toContain("outdir");
  });

  it("escapes the heading built from the request path", async () => {
    const file = new File(fixture.root, { listDirectories: true });
    const { body } = await get(file, ["listed", ""], { uri: "/listed/%3Cb%3E/?<x>" });
    const html = body.toString();
    expect(html).toContain("Directory listing for /listed/&#60;b&#62;/");
    expect(html).not.toContain("<b>");
    expect(html).not.toContain("<x>");
  });

  it("shows dotfiles under allow and hides them under ignore", async () => {
    const allow = await get(
      new File(fixture.root, { listDirectories: true, dotfiles: "allow" }),
      "/listed/",
    );
    expect(allow.body.toString()).toContain('href=".hidden"');
    const ignore = await get(
      new File(fixture.root, { listDirectories: true, dotfiles: "ignore" }),
      "/listed/",
    );
    expect(ignore.body.toString()).not.toContain(".hidden");
  });

  it("lists a symlink leaving the root only when allowed", async () => {
    const file = new File(fixture.root, { listDirectories: true, allowExternalSymlinks: true });
    expect((await get(file, "/listed/")).body.toString()).toContain('href="outdir/"');
  });

  it("marks content encodings", async () => {
    const { body } = await get(new File(fixture.root, { listDirectories: true }), "/");
    expect(rows(body.toString())).toContainEqual([
      expect.any(String),
      "archive.tar.gz",
      "archive.tar.gz",
      "7B",
      "[application/x-tar]",
      "[gzip]",
    ]);
  });

  it("lists given names in the given order with DirectoryLister directly", async () => {
    const lister = new DirectoryLister(fixture.root, { dirs: ["page.html", "sub"] });
    const { body } = await get(lister, [], { uri: "/x/" });
    expect(rows(body.toString()).map((r) => r[1])).toEqual(["sub/", "page.html"]);
  });
});

describe("listing helpers", () => {
  it("formats sizes as Twisted does", () => {
    expect([0, 1023, 1024, 1536, 1024 ** 2, 5 * 1024 ** 3].map(formatFileSize)).toEqual([
      "0B",
      "1023B",
      "1K",
      "1K",
      "1M",
      "5G",
    ]);
  });

  it("quotes names like Python's quote(name, '/')", () => {
    expect(quotePath("a b/c:d!'()*~_.-")).toBe("a%20b/c%3Ad%21%27%28%29%2A~_.-");
  });
});
