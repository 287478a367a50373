/**
 * The traversal defence of `File`: which path segments are refused, and whether a resolved path
 * stays inside the served root.
 * @packageDocumentation
 */
import { isAbsolute, relative, sep } from "node:path";

/**
 * Whether a (percent-decoded) path segment could reach outside its directory or is not a plain
 * file name, so `File` answers 404 without touching the file system. Refused: `.` and `..`;
 * any `/` or `\` (a `%2F` or `%5C` that survived decoding, or a Windows separator); NUL and
 * the other C0 controls; U+FFFD (the server's stand-in for bytes that are not UTF-8, such as
 * the overlong `%c0%ae`); a Windows drive prefix (`C:`); an absolute path.
 * @param segment - one segment of the request path.
 */
export function isUnsafeSegment(segment: string): boolean {
  if (segment === "." || segment === "..") return true;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[/\\\u0000-\u001f\u007f\ufffd]/.test(segment)) return true;
  if (/^[A-Za-z]:/.test(segment)) return true;
  return isAbsolute(segment);
}

/**
 * Whether `path` is `root` or lies under it, comparing resolved absolute paths.
 * @param root - the root (absolute, resolved).
 * @param path - the path (absolute, resolved).
 */
export function isInside(root: string, path: string): boolean {
  if (path === root) return true;
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel);
}
