/**
 * Static files: `File`, `DirectoryLister`, and the helpers they are built from (conditional
 * requests, byte ranges, content types, the traversal defence).
 * @packageDocumentation
 */

export {
  type ConditionalRequest,
  evaluatePreconditions,
  formatHTTPDate,
  type PreconditionResult,
  parseHTTPDate,
  strongETagMatch,
  type Validators,
  weakETagMatch,
} from "./conditional.js";
export { type DotfilePolicy, File, type FileOptions } from "./file.js";
export { nodeFileSystem, type StaticFileSystem } from "./filesystem.js";
export { DirectoryLister, type DirectoryListerOptions } from "./lister.js";
export {
  contentTypeHeader,
  DEFAULT_CONTENT_ENCODINGS,
  formatFileSize,
  getTypeAndEncoding,
  quotePath,
  type TypeAndEncoding,
} from "./mime.js";
export { isInside, isUnsafeSegment } from "./paths.js";
export { type BodyPart, StaticProducer } from "./producer.js";
export { type ByteRange, parseRangeHeader, type RangeSpec, resolveRange } from "./ranges.js";
