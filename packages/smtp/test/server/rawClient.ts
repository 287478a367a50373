/**
 * A raw SMTP client over node:net (and node:tls for STARTTLS), independent of our code: it sends
 * bytes and reads whole replies.
 */
import { connect as netConnect, type Socket } from "node:net";
import { type TLSSocket, connect as tlsConnect } from "node:tls";

export class RawSMTP {
  private buffer = "";
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(public socket: Socket | TLSSocket) {
    this.listen(socket);
  }

  private listen(socket: Socket | TLSSocket): void {
    socket.setEncoding("latin1");
    socket.on("data", (text: string) => {
      this.buffer += text;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on("close", () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    socket.on("error", () => {});
  }

  static async connect(port: number): Promise<RawSMTP> {
    const socket = netConnect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    return new RawSMTP(socket);
  }

  /** Read one complete reply (all its lines). */
  async reply(timeoutMs = 10000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const lines = this.buffer.split("\r\n");
      for (let i = 0; i < lines.length - 1; i++) {
        if (/^\d{3} /.test(lines[i] as string)) {
          const reply = lines.slice(0, i + 1);
          this.buffer = lines.slice(i + 1).join("\r\n");
          return reply;
        }
      }
      if (this.closed) throw new Error(`connection closed; buffer: ${JSON.stringify(this.buffer)}`);
      if (Date.now() > deadline)
        throw new Error(`no reply; buffer: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  send(text: string | Buffer): void {
    this.socket.write(typeof text === "string" ? Buffer.from(text, "latin1") : text);
  }

  /** Send a command and read its reply. */
  async command(text: string): Promise<string[]> {
    this.send(`${text}\r\n`);
    return this.reply();
  }

  /** Switch to TLS on the same socket (after a 220 to STARTTLS). */
  async startTLS(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners("data");
    const secure = tlsConnect({
      socket: plain,
      rejectUnauthorized: false,
      servername: "localhost",
    });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", resolve);
      secure.once("error", reject);
    });
    this.socket = secure;
    this.buffer = "";
    this.listen(secure);
  }

  close(): void {
    this.socket.destroy();
  }
}
