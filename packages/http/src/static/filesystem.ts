/**
 * The file-system operations `File` uses, behind one small interface, so a test (or a virtual
 * file system) can watch or replace them.
 * @packageDocumentation
 */
import * as fs from "node:fs";

/**
 * What `File` and `DirectoryLister` do to the file system. Metadata calls are synchronous
 * (traversal is synchronous, as in Twisted); reading file bodies is asynchronous, one chunk at
 * a time, so a large file never blocks the loop nor sits in memory.
 */
export interface StaticFileSystem {
  /**
   * `fs.statSync` (follows symlinks).
   * @param path - the path.
   * @throws the system error (`ENOENT`, `EACCES`, …).
   */
  stat(path: string): fs.Stats;
  /**
   * `fs.realpathSync`: the path with every symlink resolved.
   * @param path - the path.
   * @throws the system error.
   */
  realpath(path: string): string;
  /**
   * Opens a file for reading.
   * @param path - the path.
   * @returns the file descriptor.
   * @throws the system error.
   */
  open(path: string): number;
  /**
   * `fs.fstatSync`.
   * @param fd - an open descriptor.
   */
  fstat(fd: number): fs.Stats;
  /**
   * The names in a directory.
   * @param path - the directory.
   * @throws the system error.
   */
  readdir(path: string): string[];
  /**
   * Reads up to `buffer.length` bytes at `position`.
   * @param fd - an open descriptor.
   * @param buffer - where to read to.
   * @param position - the offset in the file, in bytes.
   * @param callback - called with an error, or the number of bytes read (0 at the end).
   */
  read(
    fd: number,
    buffer: Buffer,
    position: number,
    callback: (error: Error | null, bytesRead: number) => void,
  ): void;
  /**
   * Closes a descriptor (errors are ignored).
   * @param fd - the descriptor.
   */
  close(fd: number): void;
}

/** The real file system, through `node:fs`. */
export const nodeFileSystem: StaticFileSystem = {
  stat: (path) => fs.statSync(path),
  realpath: (path) => fs.realpathSync.native(path),
  open: (path) => fs.openSync(path, fs.constants.O_RDONLY),
  fstat: (fd) => fs.fstatSync(fd),
  readdir: (path) => fs.readdirSync(path),
  read: (fd, buffer, position, callback) => {
    fs.read(fd, buffer, 0, buffer.length, position, (error, bytesRead) =>
      callback(error, bytesRead),
    );
  },
  close: (fd) => {
    fs.close(fd, () => {});
  },
};
