import type { FileIdentity, LogFileStat, LogReader, OpenLogFile } from "../src/follower.js";

/** A file's bytes, shared by every handle open on it (as an inode is). */
interface Inode {
  readonly ino: number;
  data: Buffer;
}

/**
 * An in-memory file system for `LogFollower`: paths name inodes, handles keep their inode
 * through renames, and every operation is a Promise that settles on the next microtask.
 */
export class FakeFiles implements LogReader {
  private readonly paths = new Map<string, Inode>();
  private nextIno = 1;
  /** Handles open now. */
  open_ = 0;
  /** When set, the next `read` rejects with it (once). */
  failNextRead: Error | undefined = undefined;

  /** Create (or replace) `path` with `text`. */
  create(path: string, text = ""): void {
    this.paths.set(path, { ino: this.nextIno++, data: Buffer.from(text) });
  }

  /** Append to `path`. */
  append(path: string, text: string | Buffer): void {
    const inode = this.inode(path);
    inode.data = Buffer.concat([inode.data, Buffer.from(text)]);
  }

  /** Cut `path` to `length` bytes, in place (same inode). */
  truncate(path: string, length = 0): void {
    const inode = this.inode(path);
    inode.data = inode.data.subarray(0, length);
  }

  /** Move `from` to `to`, as logrotate does. */
  rename(from: string, to: string): void {
    this.paths.set(to, this.inode(from));
    this.paths.delete(from);
  }

  /** @inheritDoc */
  async stat(path: string): Promise<LogFileStat | undefined> {
    const inode = this.paths.get(path);
    return inode === undefined ? undefined : { dev: 1, ino: inode.ino, size: inode.data.length };
  }

  /** @inheritDoc */
  async open(path: string): Promise<OpenLogFile> {
    const inode = this.paths.get(path);
    if (inode === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
    this.open_++;
    const identity: FileIdentity = { dev: 1, ino: inode.ino };
    return {
      identity,
      size: async () => inode.data.length,
      read: async (position, length) => {
        const error = this.failNextRead;
        this.failNextRead = undefined;
        if (error !== undefined) throw error;
        return Buffer.from(inode.data.subarray(position, position + length));
      },
      close: async () => {
        this.open_--;
      },
    };
  }

  private inode(path: string): Inode {
    const inode = this.paths.get(path);
    if (inode === undefined) throw new Error(`no file ${path}`);
    return inode;
  }
}

/** A Combined Log Format line for `path`, from `host`. */
export function combined(host: string, path: string, status = 200, bytes = 1234): string {
  return `${host} - - [10/Oct/2000:13:55:36 -0700] "GET ${path} HTTP/1.0" ${status} ${bytes} "http://example.com/" "Mozilla/5.0"\n`;
}
