// The P2 load client: streams `mib` MiB to an echo server in `chunkKiB` KiB writes, waiting for
// "drain" whenever the socket's buffer is full, and reads everything back. Prints one JSON line:
// { bytes, seconds, megabytesPerSec } (1 MB = 1e6 bytes), timed from the first write to the last
// byte read back.
// Usage: node bulk.mjs <port> [mib=256] [chunkKiB=64]
import net from "node:net";

const [port, mib = 256, chunkKiB = 64] = process.argv.slice(2).map(Number);
const total = mib * 1024 * 1024;
// One buffer written again and again: the client allocates nothing per chunk.
const chunk = Buffer.alloc(chunkKiB * 1024, 0x62);
let sent = 0;
let received = 0;
let start = 0n;

const socket = net.connect({ port, host: "127.0.0.1" }, () => {
  start = process.hrtime.bigint();
  send();
});
socket.on("error", (error) => {
  console.error(`bulk: ${error.message}`);
  process.exit(1);
});
socket.on("drain", send);
socket.on("data", (data) => {
  received += data.length;
  if (received < total) return;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (received > total) throw new Error(`the server sent ${received - total} bytes too many`);
  console.log(JSON.stringify({ bytes: total, seconds, megabytesPerSec: total / 1e6 / seconds }));
  socket.end();
});

function send() {
  while (sent < total) {
    const n = Math.min(chunk.length, total - sent);
    sent += n;
    if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return;
  }
}
