// The P9 client: opens `count` TCP connections to a server (at most `parallel` connecting at a
// time, so the listen queue never overflows), keeps them idle, prints {"open": count} once all are
// connected, and on a line "close" on stdin resets them all and exits. A reset (RST) instead of a
// FIN leaves no TIME_WAIT behind, so repeated runs do not use up the ephemeral ports.
// Usage: node idle.mjs <port> [count=10000] [parallel=128]
import net from "node:net";
import { createInterface } from "node:readline";

const [port, count = 10_000, parallel = 128] = process.argv.slice(2).map(Number);
const sockets = [];
let started = 0;
let open = 0;

function connectNext() {
  if (started >= count) return;
  started++;
  const socket = net.connect({ port, host: "127.0.0.1" }, () => {
    open++;
    if (open === count) console.log(JSON.stringify({ open }));
    connectNext();
  });
  socket.on("error", (error) => {
    console.error(`idle: ${error.message}`);
    process.exit(1);
  });
  sockets.push(socket);
}

for (let i = 0; i < Math.min(parallel, count); i++) connectNext();
function closeAll() {
  for (const socket of sockets) socket.resetAndDestroy();
  // Give the resets a moment to leave before the process (and its sockets) goes.
  setTimeout(() => process.exit(0), 50);
}

const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  if (line.trim() === "close") closeAll();
});
// The bench process went away: do not linger.
input.on("close", closeAll);
