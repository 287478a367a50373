/**
 * A temporary directory tree for the static-file tests, and a file system that records (and can
 * fail) every call `File` makes.
 */
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type IResource, nodeFileSystem, type StaticFileSystem } from "../../src/index.js";
import { DummyRequest, type DummyRequestOptions, renderRequest } from "../../src/testing.js";

/** A fixed modification time for every fixture file: 2001-09-09T01:46:40Z. */
export const MTIME = 1_000_000_000;
/** What the file outside the root holds; it must never appear in a response. */
export const SECRET = "TOPSECRET-outside-the-root";

/** The fixture: the served root and a sibling directory outside it. */
export interface Fixture {
  /** The temporary directory holding both. */
  base: string;
  /** The served directory. */
  root: string;
  /** A directory beside the root, with `secret.txt`. */
  outside: string;
  /** Removes everything. */
  cleanup(): void;
}

/** 64 bytes: 0, 1, …, 63. */
export const DATA = Buffer.from(Array.from({ length: 64 }, (_, i) => i));

/** Builds the fixture tree. */
export function makeFixture(): Fixture {
  const base = fs.realpathSync(fs.mkdtempSync(join(tmpdir(), "twisted-ts-static-")));
  const root = join(base, "root");
  const outside = join(base, "outside");
  fs.mkdirSync(root);
  fs.mkdirSync(outside);
  const write = (name: string, content: string | Buffer): void => {
    fs.writeFileSync(join(root, name), content);
  };
  fs.writeFileSync(join(outside, "secret.txt"), SECRET);
  fs.writeFileSync(join(base, "secret.txt"), SECRET);
  write("hello.txt", "hello world\n");
  write(
    "page.html",
    "<!DOCTYPE html><html><head><title>Static Page</title></head><body><p id=x>hi</p></body></html>",
  );
  write("data.bin", DATA);
  write("empty.txt", "");
  write("app.js", "console.log('plain');\n");
  write("app.js.gz", "GZ-BYTES");
  write("app.js.br", "BR-BYTES");
  write("only.css", "body{}");
  write("only.css.gz", "GZ-CSS");
  write("archive.tar.gz", "tarball");
  write("noext", "no extension");
  write("about.html", "<p>about</p>");
  write(".secret", "dot secret");
  fs.mkdirSync(join(root, "sub"));
  fs.writeFileSync(join(root, "sub", "index.html"), "<p>sub index</p>");
  fs.writeFileSync(join(root, "sub", "inner.txt"), "inner");
  fs.mkdirSync(join(root, "plain"));
  fs.writeFileSync(join(root, "plain", "index"), "bare index");
  fs.mkdirSync(join(root, "listed"));
  const listed = (name: string, content = "x"): void => {
    fs.writeFileSync(join(root, "listed", name), content);
  };
  listed("<img src=x onerror=alert(1)>.txt");
  listed("a&b \"q\" 's'.txt");
  listed("sp ace.txt", "y".repeat(2048));
  listed("javascript:alert(1)");
  listed(".hidden");
  fs.mkdirSync(join(root, "listed", "zdir"));
  fs.mkdirSync(join(root, "listed", "adir"));
  fs.symlinkSync(join(root, "listed", "missing"), join(root, "listed", "broken"));
  fs.symlinkSync(outside, join(root, "listed", "outdir"));
  fs.mkdirSync(join(root, "empty-dir"));
  fs.symlinkSync(outside, join(root, "outlink"));
  fs.symlinkSync(join(outside, "secret.txt"), join(root, "outfile"));
  fs.symlinkSync(join(root, "outlink"), join(root, "chain"));
  fs.symlinkSync("sub", join(root, "inlink"));
  fs.symlinkSync("hello.txt", join(root, "hello-link.txt"));
  fs.writeFileSync(join(root, "%2e%2e"), "literal percent name");
  const setTimes = (dir: string): void => {
    for (const name of fs.readdirSync(dir)) {
      const full = join(dir, name);
      const st = fs.lstatSync(full);
      if (st.isSymbolicLink()) continue;
      if (st.isDirectory()) setTimes(full);
      fs.utimesSync(full, MTIME, MTIME);
    }
  };
  setTimes(base);
  return { base, root, outside, cleanup: () => fs.rmSync(base, { recursive: true, force: true }) };
}

/** One recorded file-system call. */
export interface FsCall {
  /** The operation. */
  op: "stat" | "realpath" | "open" | "readdir" | "read" | "close" | "fstat";
  /** The path, or the descriptor as a string. */
  target: string;
}

/** A file system that records every call and can be told to fail some. */
export class RecordingFileSystem implements StaticFileSystem {
  readonly calls: FsCall[] = [];
  readonly openFds = new Map<number, string>();
  /** Paths (exact) whose `open` fails with EACCES. */
  readonly deniedOpen = new Set<string>();
  /** Paths (exact) whose `stat` fails with EACCES. */
  readonly deniedStat = new Set<string>();
  /** Make each read fail. */
  failReads = false;

  private static eacces(path: string): Error {
    return Object.assign(new Error(`EACCES: permission denied, '${path}'`), { code: "EACCES" });
  }

  stat(path: string): fs.Stats {
    this.calls.push({ op: "stat", target: path });
    if (this.deniedStat.has(path)) throw RecordingFileSystem.eacces(path);
    return nodeFileSystem.stat(path);
  }
  realpath(path: string): string {
    this.calls.push({ op: "realpath", target: path });
    return nodeFileSystem.realpath(path);
  }
  open(path: string): number {
    this.calls.push({ op: "open", target: path });
    if (this.deniedOpen.has(path)) throw RecordingFileSystem.eacces(path);
    const fd = nodeFileSystem.open(path);
    this.openFds.set(fd, path);
    return fd;
  }
  fstat(fd: number): fs.Stats {
    this.calls.push({ op: "fstat", target: String(fd) });
    return nodeFileSystem.fstat(fd);
  }
  readdir(path: string): string[] {
    this.calls.push({ op: "readdir", target: path });
    return nodeFileSystem.readdir(path);
  }
  read(
    fd: number,
    buffer: Buffer,
    position: number,
    callback: (error: Error | null, bytesRead: number) => void,
  ): void {
    this.calls.push({ op: "read", target: String(fd) });
    if (this.failReads) {
      setImmediate(() => callback(new Error("EIO"), 0));
      return;
    }
    nodeFileSystem.read(fd, buffer, position, callback);
  }
  close(fd: number): void {
    this.calls.push({ op: "close", target: String(fd) });
    this.openFds.delete(fd);
    nodeFileSystem.close(fd);
  }

  /** The paths given to one operation. */
  targets(op: FsCall["op"]): string[] {
    return this.calls.filter((c) => c.op === op).map((c) => c.target);
  }
}

/** The outcome of one request. */
export interface Rendered {
  request: DummyRequest;
  body: Buffer;
  /** A response header's last value. */
  header(name: string): string | undefined;
}

/**
 * Renders a resource for a request target (traversed as the server would) or for segments.
 * @param resource - the root.
 * @param target - a URI such as `"/a/b"`, or the postpath segments.
 * @param options - the request's options.
 */
export async function get(
  resource: IResource,
  target: string | readonly string[],
  options: DummyRequestOptions = {},
): Promise<Rendered> {
  const request =
    typeof target === "string"
      ? new DummyRequest(undefined, { ...options, uri: target })
      : new DummyRequest(target, options);
  const body = await renderRequest(resource, request);
  return { request, body, header: (name) => request.responseHeaders.getHeader(name) };
}

/** Waits for pending I/O callbacks (a few turns of the loop). */
/**
 * Waits (on real time, up to 10 s) until a condition holds: file-system callbacks such as a
 * close may take a while on a loaded machine.
 */
export async function eventually(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  if (!condition()) throw new Error("condition not met within 10 s");
}

export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
