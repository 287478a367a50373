/**
 * `DirectoryLister`: the HTML index of a directory, after Twisted's `static.DirectoryLister`.
 * @packageDocumentation
 */
import { join } from "node:path";
import type { IRequest } from "../iweb.js";
import { escapeHTML, Resource } from "../resource/resource.js";
import { nodeFileSystem, type StaticFileSystem } from "./filesystem.js";
import {
  DEFAULT_CONTENT_ENCODINGS,
  formatFileSize,
  getTypeAndEncoding,
  quotePath,
} from "./mime.js";

/** How a {@link DirectoryLister} is built; every field is optional. */
export interface DirectoryListerOptions {
  /** The names to list, in order; by default the directory's entries, sorted. */
  dirs?: readonly string[];
  /** Extension → content coding; {@link DEFAULT_CONTENT_ENCODINGS} by default. */
  contentEncodings?: Readonly<Record<string, string>>;
  /** The type of a file whose extension is unknown; `"text/html"` by default. */
  defaultType?: string;
  /**
   * Which names to leave out (called with the name and the entry's full path); by default
   * none. `File` passes its dotfile and symlink policy here.
   */
  filter?: (name: string, path: string) => boolean;
  /** The file system; the real one by default. */
  fileSystem?: StaticFileSystem;
}

/** One row of the listing table. */
interface Row {
  href: string;
  text: string;
  size: string;
  type: string;
  encoding: string;
}

/**
 * Renders a directory as an HTML page, "Directory listing for <path>": a table of Filename,
 * Size, Content type and Content encoding, directories first (with a trailing `/` and the type
 * `[Directory]`), then files, each group sorted by name, rows alternately of class `odd` and
 * `even`. Names are HTML-escaped, links percent-encoded and relative; an entry that cannot be
 * stat'ed (a broken symlink) is skipped. Served as `text/html; charset=utf-8`.
 */
export class DirectoryLister extends Resource {
  override isLeaf = true;
  /** The directory listed. */
  readonly path: string;
  /** The options it was built with. */
  readonly options: DirectoryListerOptions;

  /**
   * @param path - the directory.
   * @param options - what to list and how to type it.
   */
  constructor(path: string, options: DirectoryListerOptions = {}) {
    super();
    this.path = path;
    this.options = options;
  }

  /** The listing's rows, directories first. */
  private rows(): Row[] {
    const fileSystem = this.options.fileSystem ?? nodeFileSystem;
    const names = this.options.dirs ?? [...fileSystem.readdir(this.path)].sort();
    const dirs: Row[] = [];
    const files: Row[] = [];
    for (const name of names) {
      const full = join(this.path, name);
      if (this.options.filter !== undefined && !this.options.filter(name, full)) continue;
      let stats: ReturnType<StaticFileSystem["stat"]>;
      try {
        stats = fileSystem.stat(full);
      } catch {
        continue;
      }
      const href = quotePath(name);
      const text = escapeHTML(name);
      if (stats.isDirectory()) {
        dirs.push({
          href: `${href}/`,
          text: `${text}/`,
          size: "",
          type: "[Directory]",
          encoding: "",
        });
      } else {
        const { type, encoding } = getTypeAndEncoding(
          name,
          this.options.contentEncodings ?? DEFAULT_CONTENT_ENCODINGS,
          this.options.defaultType ?? "text/html",
        );
        files.push({
          href,
          text,
          size: formatFileSize(stats.size),
          type: `[${escapeHTML(type)}]`,
          encoding: encoding === undefined ? "" : `[${escapeHTML(encoding)}]`,
        });
      }
    }
    return [...dirs, ...files];
  }

  /**
   * Renders the listing.
   * @param request - the request (its `uri` gives the heading).
   * @returns the page.
   */
  override render(request: IRequest): string {
    request.setHeader("content-type", "text/html; charset=utf-8");
    let path = request.uri.split("?")[0] ?? "";
    try {
      path = decodeURIComponent(path);
    } catch {
      // Not valid percent-encoded UTF-8: show it as sent.
    }
    const header = `Directory listing for ${escapeHTML(path)}`;
    const body = this.rows()
      .map(
        (row, i) =>
          `<tr class="${i % 2 === 0 ? "odd" : "even"}">\n` +
          `    <td><a href="${row.href}">${row.text}</a></td>\n` +
          `    <td>${row.size}</td>\n` +
          `    <td>${row.type}</td>\n` +
          `    <td>${row.encoding}</td>\n` +
          "</tr>\n",
      )
      .join("");
    return [
      "<!DOCTYPE html>",
      "<html>",
      "<head>",
      '<meta charset="utf-8">',
      `<title>${header}</title>`,
      "<style>",
      "body { font-family: sans-serif; margin: 0; }",
      "h1 { margin: 0; padding: 0.2em; background: #666; color: #fff; }",
      "table { border-collapse: collapse; margin: 0.5em; }",
      "td, th { padding: 0.1em 0.6em; text-align: left; }",
      ".odd { background: #e4e4e4; }",
      ".even { background: #f2f2f2; }",
      "</style>",
      "</head>",
      "<body>",
      `<h1>${header}</h1>`,
      "<table>",
      "<thead>",
      "<tr><th>Filename</th><th>Size</th><th>Content type</th><th>Content encoding</th></tr>",
      "</thead>",
      "<tbody>",
      `${body}</tbody>`,
      "</table>",
      "</body>",
      "</html>",
      "",
    ].join("\n");
  }
}
