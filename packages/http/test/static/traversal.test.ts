import { isAbsolute, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { File } from "../../src/index.js";
import { type Fixture, get, makeFixture, RecordingFileSystem, SECRET, settle } from "./fixture.js";

let fixture: Fixture;
beforeAll(() => {
  fixture = makeFixture();
});
afterAll(() => fixture.cleanup());

/** Whether a path lies under the root (or is it). */
function under(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** A traversal attempt: a raw request target, or postpath segments as a server might build them. */
type Attempt = { uri: string } | { segments: string[] };

const ATTEMPTS: [string, Attempt][] = [
  ["a plain ..", { uri: "/../secret.txt" }],
  ["a plain .. into a sibling directory", { uri: "/../outside/secret.txt" }],
  ["a lone ..", { uri: "/.." }],
  ["an encoded %2e%2e", { uri: "/%2e%2e/secret.txt" }],
  ["an upper-case %2E%2E", { uri: "/%2E%2E/secret.txt" }],
  ["a half-encoded %2e.", { uri: "/%2e./secret.txt" }],
  ["a half-encoded .%2e", { uri: "/.%2e/secret.txt" }],
  ["an encoded slash after ..", { uri: "/..%2fsecret.txt" }],
  ["an encoded upper-case slash path", { uri: "/..%2Foutside%2Fsecret.txt" }],
  ["a fully encoded ../..", { uri: "/%2e%2e%2f%2e%2e%2fsecret.txt" }],
  ["climbing out of a subdirectory", { uri: "/sub/../../secret.txt" }],
  ["climbing out of a subdirectory, encoded", { uri: "/sub/%2e%2e/%2e%2e/secret.txt" }],
  ["a . then ..", { uri: "/sub/./../../secret.txt" }],
  ["a lone .", { uri: "/./hello.txt" }],
  ["an encoded backslash", { uri: "/..%5csecret.txt" }],
  ["a raw backslash", { uri: "/..\\secret.txt" }],
  ["backslashes inside a segment", { uri: "/sub\\..\\..\\secret.txt" }],
  ["a NUL before an extension", { uri: "/hello.txt%00.html" }],
  ["a lone NUL", { uri: "/%00" }],
  ["an overlong UTF-8 dot pair", { uri: "/%c0%ae%c0%ae/secret.txt" }],
  ["an overlong UTF-8 slash", { uri: "/..%c0%afsecret.txt" }],
  ["a three-byte overlong dot pair", { uri: "/%e0%80%ae%e0%80%ae/secret.txt" }],
  ["a double-encoded .. (a literal name, not decoded twice)", { uri: "/%252e%252e/secret.txt" }],
  ["a double-encoded slash", { uri: "/..%252f..%252fsecret.txt" }],
  ["an encoded absolute path", { uri: "/%2fetc%2fpasswd" }],
  ["a protocol-relative absolute path", { uri: "//etc/passwd" }],
  ["many leading slashes", { uri: "///secret.txt" }],
  ["a Windows drive letter", { uri: "/C:/Windows/win.ini" }],
  ["a drive letter with a backslash", { uri: "/c:%5cwindows%5cwin.ini" }],
  ["an encoded drive letter", { uri: "/C%3A%5Csecret.txt" }],
  ["a symlinked directory leaving the root", { uri: "/outlink/secret.txt" }],
  ["a symlinked directory leaving the root, itself", { uri: "/outlink" }],
  ["a symlinked directory leaving the root, listed", { uri: "/outlink/" }],
  ["a symlinked file leaving the root", { uri: "/outfile" }],
  ["a chain of symlinks leaving the root", { uri: "/chain/secret.txt" }],
  ["a symlink in a subdirectory", { uri: "/listed/outdir/secret.txt" }],
  ["Tomcat's ..;", { uri: "/..;/secret.txt" }],
  ["IIS's %u002e", { uri: "/%u002e%u002e/secret.txt" }],
  ["a dotfile", { uri: "/.secret" }],
  ["an absolute path as one segment", { segments: ["/etc/passwd"] }],
  ["the secret's absolute path as one segment", { segments: ["SECRET_PATH"] }],
  ["a .. segment", { segments: ["..", "secret.txt"] }],
  ["two .. segments after a directory", { segments: ["sub", "..", "..", "secret.txt"] }],
  ["a two-dot leader (U+2025)", { segments: ["\u2025", "secret.txt"] }],
  ["full-width dots", { segments: ["\uff0e\uff0e", "secret.txt"] }],
  ["a replacement character", { segments: ["\ufffd\ufffd", "secret.txt"] }],
  ["a drive-relative segment", { segments: ["c:secret.txt"] }],
  ["a NUL in a segment", { segments: ["hello.txt\u0000"] }],
  ["a newline in a segment", { segments: ["..\n", "secret.txt"] }],
];

describe("File traversal defence", () => {
  it.each(ATTEMPTS)(
    "refuses %s with 404 and reads nothing outside the root",
    async (_name, attempt) => {
      const fileSystem = new RecordingFileSystem();
      const file = new File(fixture.root, { fileSystem, listDirectories: true });
      const target =
        "uri" in attempt
          ? attempt.uri
          : attempt.segments.map((s) =>
              s === "SECRET_PATH" ? join(fixture.base, "secret.txt") : s,
            );
      const { request, body } = await get(file, target);
      await settle();
      expect(request.code).toBe(404);
      expect(body.toString()).not.toContain(SECRET);
      if (request.code === 404 && body.length > 0)
        expect(body.toString()).toContain("File not found.");
      for (const op of ["stat", "realpath", "open", "readdir"] as const) {
        for (const path of fileSystem.targets(op)) expect(under(fixture.root, path)).toBe(true);
      }
      for (const path of [...fileSystem.targets("open"), ...fileSystem.targets("readdir")]) {
        expect(under(fixture.root, fileSystem.realpath(path))).toBe(true);
      }
      expect(fileSystem.openFds.size).toBe(0);
    },
  );

  it("has at least thirty cases", () => {
    expect(ATTEMPTS.length).toBeGreaterThanOrEqual(30);
  });

  it("serves a file literally named %2e%2e (one decoding only)", async () => {
    const { request, body } = await get(new File(fixture.root), "/%252e%252e");
    expect(request.code).toBe(200);
    expect(body.toString()).toBe("literal percent name");
  });

  it("follows symlinks that stay inside the root", async () => {
    const file = new File(fixture.root);
    expect((await get(file, "/hello-link.txt")).body.toString()).toBe("hello world\n");
    expect((await get(file, "/inlink/")).body.toString()).toBe("<p>sub index</p>");
  });

  it("follows a symlink out of the root when allowed", async () => {
    const file = new File(fixture.root, { allowExternalSymlinks: true });
    const { request, body } = await get(file, "/outfile");
    expect(request.code).toBe(200);
    expect(body.toString()).toBe(SECRET);
    expect((await get(file, "/../secret.txt")).request.code).toBe(404);
  });

  it("collapses leading slashes in the directory redirect (no open redirect)", async () => {
    const file = new File(fixture.root);
    const { request } = await get(file, [], { uri: "//evil.example" });
    expect(request.code).toBe(302);
    expect(request.responseHeaders.getHeader("location")).toBe("/evil.example/");
  });
});
