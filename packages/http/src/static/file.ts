/**
 * `File`: serves a file or a directory tree, after Twisted's `twisted.web.static.File`.
 * @packageDocumentation
 */
import { randomBytes } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import type { IRequest, IResource, RenderResult } from "../iweb.js";
import { NOT_DONE_YET } from "../iweb.js";
import { ForbiddenResource, NoResource, Resource } from "../resource/resource.js";
import {
  evaluatePreconditions,
  formatHTTPDate,
  parseHTTPDate,
  strongETagMatch,
} from "./conditional.js";
import { nodeFileSystem, type StaticFileSystem } from "./filesystem.js";
import { DirectoryLister } from "./lister.js";
import { contentTypeHeader, DEFAULT_CONTENT_ENCODINGS, getTypeAndEncoding } from "./mime.js";
import { isInside, isUnsafeSegment } from "./paths.js";
import { type BodyPart, StaticProducer } from "./producer.js";
import { parseRangeHeader, resolveRange } from "./ranges.js";

/**
 * What `File` does with names that start with a dot (`.git`, `.env`, `.htpasswd`):
 * - `"deny"` (the default): requesting one gives 404 "File not found.", and listings leave
 *   them out;
 * - `"ignore"`: they are served when asked for by name but left out of listings;
 * - `"allow"`: served and listed like any other name.
 */
export type DotfilePolicy = "deny" | "ignore" | "allow";

/** How `File` is configured; every field is optional. */
export interface FileOptions {
  /** The type of a file whose extension is unknown; `"text/html"` by default (as Twisted). */
  defaultType?: string;
  /** Extensions tried, in order, when a requested name does not exist (`[".html"]` serves `/a` from `a.html`); none by default. */
  ignoredExts?: readonly string[];
  /** The names looked for, in order, when a directory is requested; `index`, `index.html`, `index.htm` by default. */
  indexNames?: readonly string[];
  /** Whether a directory without an index file is listed; false by default (then it is a 403). */
  listDirectories?: boolean;
  /** The dotfile policy; `"deny"` by default. */
  dotfiles?: DotfilePolicy;
  /** Whether a symlink may lead outside the root (default false: such a path gives 404). */
  allowExternalSymlinks?: boolean;
  /**
   * Whether a sibling `x.br` or `x.gz` is served in place of `x` when the client's
   * `Accept-Encoding` allows it (with `Content-Encoding` and `Vary: Accept-Encoding`); true by
   * default.
   */
  precompressed?: boolean;
  /** The `ETag` kind: `"strong"` (the default), `"weak"`, or `false` for none. */
  etag?: "strong" | "weak" | false;
  /** Extension → content coding of the file itself; {@link DEFAULT_CONTENT_ENCODINGS} by default. */
  contentEncodings?: Readonly<Record<string, string>>;
  /** A `Range` header with more specs than this is ignored (a full 200 is sent); 100 by default. */
  maxRanges?: number;
  /** The file system; the real one by default (tests pass a recording or failing one). */
  fileSystem?: StaticFileSystem;
}

/** The precompressed siblings, in order of preference on a tie: coding and suffix. */
const PRECOMPRESSED: readonly (readonly [string, string])[] = [
  ["br", ".br"],
  ["gzip", ".gz"],
];

/** An error's `code` (`ENOENT`, `EACCES`, …), if it has one. */
function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === "string" ? code : undefined;
  }
  return undefined;
}

/** Whether an error means "you may not", which `File` answers with 403. */
function isPermissionError(error: unknown): boolean {
  const code = errorCode(error);
  return code === "EACCES" || code === "EPERM";
}

/**
 * The client's `Accept-Encoding` as coding → quality (RFC 9110 §12.5.3).
 * @param header - the header's value.
 */
function acceptedCodings(header: string): Map<string, number> {
  const codings = new Map<string, number>();
  for (const item of header.split(",")) {
    const [name, ...params] = item.split(";");
    const coding = (name ?? "").trim().toLowerCase();
    if (coding === "") continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m !== null) q = Number(m[1]);
    }
    codings.set(coding === "x-gzip" ? "gzip" : coding, Number.isNaN(q) ? 0 : q);
  }
  return codings;
}

/**
 * Serves a file, or a directory and everything under it: Twisted's `static.File(path,
 * defaultType="text/html", ignoredExts=[])`, plus the parts of RFC 9110 Twisted leaves out.
 *
 * ```ts
 * const root = new File("/srv/www", { listDirectories: true });
 * reactor.listenTCP(8080, new Site(root));
 * ```
 *
 * Traversal (`getChild`): each path segment names an entry of the directory. An empty segment
 * (a trailing `/`) gives the first existing index name, else the listing
 * ({@link DirectoryLister}, when `listDirectories`), else 403. A missing name is retried with
 * each of `ignoredExts`. Refused with 404 "File not found.", before anything is opened: every
 * segment {@link isUnsafeSegment} rejects (`..`, `.`, a decoded `/` or `\`, NUL, bytes that
 * were not UTF-8 such as the overlong `%c0%ae`, a drive letter), a dotfile under the `"deny"`
 * policy, an empty segment followed by more (`//etc/passwd`), and any path whose real path
 * (symlinks resolved) leaves the root, unless `allowExternalSymlinks`. A stat that fails with
 * `EACCES` gives 403.
 *
 * Rendering (GET and HEAD; other methods get 405 with `Allow: GET, HEAD`):
 * - a missing file, or anything but a regular file or directory (a FIFO, a device), gives 404;
 *   `EACCES` on open gives 403; a directory requested without its trailing slash is redirected
 *   (302) to the same URL with one;
 * - headers: `Accept-Ranges: bytes`, `Content-Type` from `mime-types` (`defaultType` when
 *   unknown, a `.gz`/`.bz2` extension giving `Content-Encoding`), `Last-Modified` (the
 *   modification time, whole seconds), and `ETag`: `"<size in hex>-<mtime in ms, hex>"`, a
 *   strong tag by default (a byte-for-byte change that keeps both size and mtime is not
 *   seen; choose `etag: "weak"` to say so, or `false`), with `-br`/`-gz` appended for a
 *   precompressed representation;
 * - preconditions are evaluated in RFC 9110 §13.2.2's order ({@link evaluatePreconditions}):
 *   304 (no body) or 412;
 * - `Range` (GET only; ignored when `If-Range` names another ETag or date, or when it is not a
 *   `bytes` range or is malformed): one range gives 206 with `Content-Range`; several give a
 *   206 `multipart/byteranges` (unsatisfiable ones left out); none satisfiable gives 416 with
 *   `Content-Range: bytes *\/<size>`. A suffix longer than the file (`bytes=-100` of a 64-byte
 *   file) selects the whole file, as RFC 9110 says;
 * - HEAD sends the headers a GET would (ranges aside) and no body;
 * - the body is streamed by a {@link StaticProducer}: 64 KiB reads, paused and resumed by the
 *   transport; the file is closed when done, on HEAD, 304, 412, 416, and on connection loss.
 *
 * Differences from Twisted: ETag, `If-Range`, `If-Match`, `If-Unmodified-Since`,
 * precompressed siblings, the dotfile and symlink policies are additions; listing is off by
 * default (Twisted lists); `.rpy`/`.epy`/`.cgi` processors are not supported; the oversized
 * suffix range is served whole (Twisted computed a negative offset); HEAD ignores `Range`.
 */
export class File extends Resource {
  /** The file or directory served (absolute). */
  readonly path: string;
  /** The type of a file whose extension is unknown. */
  defaultType: string;
  /** Extensions tried when a requested name does not exist. */
  ignoredExts: readonly string[];
  /** The names looked for when a directory is requested. */
  indexNames: readonly string[];
  /** Extension → content coding of the file itself. */
  contentEncodings: Readonly<Record<string, string>>;
  /** The options, as given (children share them). */
  readonly options: FileOptions;
  /** The 404 page for a missing or refused child: "File not found.". */
  childNotFound: IResource = new NoResource("File not found.");
  /** The 403 page. */
  forbidden: IResource = new ForbiddenResource();
  /** The directory nothing may escape: the served directory, or a served file's directory. */
  protected rootPath: string;
  private realRootCache: string | undefined;

  /**
   * @param path - the file or directory to serve.
   * @param defaultType - the type of unknown extensions (`"text/html"`), or every option at once.
   * @param ignoredExts - extensions tried when a name does not exist.
   */
  constructor(path: string, defaultType?: string | FileOptions, ignoredExts?: readonly string[]) {
    super();
    const options: FileOptions =
      typeof defaultType === "object"
        ? { ...defaultType }
        : { ...(defaultType === undefined ? {} : { defaultType }) };
    if (ignoredExts !== undefined) options.ignoredExts = ignoredExts;
    this.options = options;
    this.path = resolve(path);
    this.defaultType = options.defaultType ?? "text/html";
    this.ignoredExts = options.ignoredExts ?? [];
    this.indexNames = options.indexNames ?? ["index", "index.html", "index.htm"];
    this.contentEncodings = options.contentEncodings ?? DEFAULT_CONTENT_ENCODINGS;
    let root = this.path;
    try {
      if (!this.fileSystem.stat(this.path).isDirectory()) root = dirname(this.path);
    } catch {
      // Missing for now: the path itself is the root.
    }
    this.rootPath = root;
  }

  /** The file system used. */
  protected get fileSystem(): StaticFileSystem {
    return this.options.fileSystem ?? nodeFileSystem;
  }

  /**
   * A `File` for a path under this one, with the same options and root: Twisted's
   * `createSimilarFile`.
   * @param path - the path.
   * @returns the new resource.
   */
  createSimilarFile(path: string): File {
    const child = new File(path, this.options);
    child.rootPath = this.rootPath;
    child.realRootCache = this.realRootCache;
    child.defaultType = this.defaultType;
    child.ignoredExts = this.ignoredExts;
    child.indexNames = this.indexNames;
    child.contentEncodings = this.contentEncodings;
    return child;
  }

  /** The root's real path, or `undefined` when it does not exist. */
  private realRoot(): string | undefined {
    if (this.realRootCache === undefined) {
      try {
        this.realRootCache = this.fileSystem.realpath(this.rootPath);
      } catch {
        return undefined;
      }
    }
    return this.realRootCache;
  }

  /**
   * Whether a path, with its symlinks resolved, stays under the root (always true with
   * `allowExternalSymlinks`, as segments can never climb out by themselves).
   * @param path - an absolute path under the root, lexically.
   */
  protected isContained(path: string): boolean {
    if (!isInside(this.rootPath, path)) return false;
    if (this.options.allowExternalSymlinks === true) return true;
    const root = this.realRoot();
    if (root === undefined) return false;
    try {
      return isInside(root, this.fileSystem.realpath(path));
    } catch {
      return false;
    }
  }

  /** Whether a name is hidden from listings by the dotfile policy. */
  private hiddenFromListing(name: string): boolean {
    return name.startsWith(".") && (this.options.dotfiles ?? "deny") !== "allow";
  }

  /**
   * The child for a path segment (see the class for what is refused).
   * @param path - the segment, percent-decoded.
   * @param request - the request.
   * @returns a `File`, the listing, or an error page.
   */
  override getChild(path: string, request: IRequest): IResource {
    if (isUnsafeSegment(path)) return this.childNotFound;
    const fileSystem = this.fileSystem;
    try {
      if (!fileSystem.stat(this.path).isDirectory()) return this.childNotFound;
    } catch (error) {
      return isPermissionError(error) ? this.forbidden : this.childNotFound;
    }
    if (path === "") {
      if (request.postpath.length > 0) return this.childNotFound;
      return this.indexOrListing();
    }
    if (path.startsWith(".") && (this.options.dotfiles ?? "deny") === "deny") {
      return this.childNotFound;
    }
    for (const candidate of [path, ...this.ignoredExts.map((ext) => path + ext)]) {
      const full = join(this.path, candidate);
      try {
        fileSystem.stat(full);
      } catch (error) {
        if (isPermissionError(error)) return this.forbidden;
        continue;
      }
      return this.isContained(full) ? this.createSimilarFile(full) : this.childNotFound;
    }
    return this.childNotFound;
  }

  /** What a directory's empty segment gives: an index file, the listing, or 403. */
  private indexOrListing(): IResource {
    for (const name of this.indexNames) {
      const full = join(this.path, name);
      try {
        if (this.fileSystem.stat(full).isFile() && this.isContained(full)) {
          return this.createSimilarFile(full);
        }
      } catch {
        // Not there: try the next name.
      }
    }
    if (this.options.listDirectories === true) return this.directoryListing();
    return this.forbidden;
  }

  /**
   * The listing of this directory, with the dotfile and symlink policies applied.
   * @returns a {@link DirectoryLister}.
   */
  directoryListing(): DirectoryLister {
    return new DirectoryLister(this.path, {
      defaultType: this.defaultType,
      contentEncodings: this.contentEncodings,
      fileSystem: this.fileSystem,
      filter: (name, full) => !this.hiddenFromListing(name) && this.isContained(full),
    });
  }

  /**
   * Answers HEAD as GET would, without the body.
   * @param request - the request.
   */
  render_HEAD(request: IRequest): RenderResult {
    return this.render_GET(request);
  }

  /**
   * Serves the file (see the class).
   * @param request - the request.
   * @returns `NOT_DONE_YET` (the response is finished here or by the producer), or an error page.
   */
  render_GET(request: IRequest): RenderResult {
    const fileSystem = this.fileSystem;
    let isDirectory: boolean;
    try {
      const stats = fileSystem.stat(this.path);
      if (!stats.isFile() && !stats.isDirectory()) return this.childNotFound.render(request);
      isDirectory = stats.isDirectory();
    } catch (error) {
      return (isPermissionError(error) ? this.forbidden : this.childNotFound).render(request);
    }
    if (!this.isContained(this.path)) return this.childNotFound.render(request);
    if (isDirectory) {
      if (request.path.endsWith("/")) return this.indexOrListing().render(request);
      return this.redirectWithSlash(request);
    }
    const { type, encoding } = getTypeAndEncoding(
      this.path,
      this.contentEncodings,
      this.defaultType,
    );
    let servedPath = this.path;
    let coding = encoding;
    let suffix = "";
    if (encoding === undefined && this.options.precompressed !== false) {
      const choice = this.choosePrecompressed(request);
      if (choice.varies) request.setHeader("vary", "Accept-Encoding");
      if (choice.path !== undefined) {
        servedPath = choice.path;
        coding = choice.coding;
        suffix = `-${choice.suffix.slice(1)}`;
      }
    }
    let fd: number;
    try {
      fd = fileSystem.open(servedPath);
    } catch (error) {
      return (isPermissionError(error) ? this.forbidden : this.childNotFound).render(request);
    }
    try {
      return this.serveOpenFile(request, fd, type, coding, suffix);
    } catch (error) {
      fileSystem.close(fd);
      throw error;
    }
  }

  /** Which precompressed sibling to serve, and whether any exists (then the response varies). */
  private choosePrecompressed(request: IRequest): {
    varies: boolean;
    path?: string;
    coding?: string;
    suffix: string;
  } {
    const accepted = acceptedCodings(request.getHeader("accept-encoding") ?? "");
    let varies = false;
    let best: { path: string; coding: string; suffix: string; q: number } | undefined;
    for (const [coding, suffix] of PRECOMPRESSED) {
      const full = this.path + suffix;
      try {
        if (!this.fileSystem.stat(full).isFile() || !this.isContained(full)) continue;
      } catch {
        continue;
      }
      varies = true;
      const q = accepted.get(coding) ?? accepted.get("*") ?? 0;
      if (q > 0 && (best === undefined || q > best.q)) best = { path: full, coding, suffix, q };
    }
    return best === undefined ? { varies, suffix: "" } : { varies, ...best };
  }

  /** Redirects a directory requested without its trailing slash. */
  private redirectWithSlash(request: IRequest): RenderResult {
    const [path = "", ...query] = request.uri.split("?");
    const location = `${path}/${query.length > 0 ? `?${query.join("?")}` : ""}`.replace(
      /^\/[/\\]+/,
      "/",
    );
    request.redirect(location);
    request.setHeader("content-type", "text/html; charset=utf-8");
    const escaped = location.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    return `<!DOCTYPE html>\n<html><head><meta http-equiv="refresh" content="0;URL=${escaped}"></head><body><a href="${escaped}">${escaped}</a></body></html>\n`;
  }

  /** Sets the headers, evaluates preconditions and ranges, and streams or finishes. */
  private serveOpenFile(
    request: IRequest,
    fd: number,
    type: string,
    coding: string | undefined,
    suffix: string,
  ): RenderResult {
    const fileSystem = this.fileSystem;
    const stats = fileSystem.fstat(fd);
    const size = stats.size;
    const lastModified = Math.floor(stats.mtimeMs / 1000);
    const kind = this.options.etag ?? "strong";
    const etag =
      kind === false
        ? undefined
        : `${kind === "weak" ? "W/" : ""}"${size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}${suffix}"`;
    const contentType = contentTypeHeader(type);
    request.setHeader("accept-ranges", "bytes");
    request.setHeader("content-type", contentType);
    if (coding !== undefined) request.setHeader("content-encoding", coding);
    request.setHeader("last-modified", formatHTTPDate(lastModified));
    if (etag !== undefined) request.setHeader("etag", etag);

    const finishEmpty = (code: number | undefined, length: number | undefined): RenderResult => {
      fileSystem.close(fd);
      if (code !== undefined) request.setResponseCode(code);
      if (length !== undefined) request.setHeader("content-length", String(length));
      request.finish();
      return NOT_DONE_YET;
    };

    const precondition = evaluatePreconditions(request, { etag, lastModified });
    if (precondition === 304) return finishEmpty(304, undefined);
    if (precondition === 412) return finishEmpty(412, 0);

    let parts: BodyPart[] = [{ start: 0, end: size - 1 }];
    let trailer: Buffer | undefined;
    let length = size;
    const range = request.method === "GET" ? request.getHeader("range") : undefined;
    const specs =
      range !== undefined && this.ifRangeHolds(request, etag, lastModified)
        ? parseRangeHeader(range)
        : undefined;
    if (specs !== undefined && specs.length <= (this.options.maxRanges ?? 100)) {
      const ranges = specs.flatMap((spec) => resolveRange(spec, size) ?? []);
      if (ranges.length === 0) {
        request.setHeader("content-range", `bytes */${size}`);
        request.responseHeaders.removeHeader("content-type");
        return finishEmpty(416, 0);
      }
      request.setResponseCode(206);
      if (specs.length === 1) {
        const only = ranges[0] ?? { start: 0, end: size - 1 };
        request.setHeader("content-range", `bytes ${only.start}-${only.end}/${size}`);
        parts = [only];
        length = only.end - only.start + 1;
      } else {
        const boundary = randomBytes(16).toString("hex");
        request.setHeader("content-type", `multipart/byteranges; boundary="${boundary}"`);
        parts = ranges.map((r) => ({
          ...r,
          prefix: Buffer.from(
            `\r\n--${boundary}\r\nContent-Type: ${contentType}\r\n` +
              `Content-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`,
            "latin1",
          ),
        }));
        trailer = Buffer.from(`\r\n--${boundary}--\r\n`, "latin1");
        length = trailer.length;
        for (const p of parts) length += (p.prefix?.length ?? 0) + p.end - p.start + 1;
      }
    }
    if (request.method === "HEAD" || size === 0) return finishEmpty(undefined, length);
    request.setHeader("content-length", String(length));
    new StaticProducer(request, fd, parts, trailer, fileSystem).start();
    return NOT_DONE_YET;
  }

  /** Whether `If-Range` (absent, an ETag, or a date) lets the `Range` header apply. */
  private ifRangeHolds(request: IRequest, etag: string | undefined, lastModified: number): boolean {
    const value = request.getHeader("if-range");
    if (value === undefined) return true;
    const trimmed = value.trim();
    if (trimmed.startsWith('"') || trimmed.startsWith("W/")) {
      return etag !== undefined && strongETagMatch(etag, trimmed);
    }
    return parseHTTPDate(trimmed) === lastModified;
  }

  /** `<File /srv/www>`. */
  override toString(): string {
    return `<File ${this.path}>`;
  }
}
