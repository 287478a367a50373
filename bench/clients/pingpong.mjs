// The P1 load client: `connections` TCP connections to an echo server, each writing `size` bytes
// and waiting for all of them to come back before writing again, for `seconds` after a warmup.
// Prints one JSON line: { roundTrips, seconds, roundTripsPerSec, totalRoundTrips }.
// Usage: node pingpong.mjs <port> [connections=16] [size=64] [seconds=3] [warmupSeconds=0.5]
import net from "node:net";

const [port, connections = 16, size = 64, seconds = 3, warmup = 0.5] = process.argv
  .slice(2)
  .map(Number);
const message = Buffer.alloc(size, 0x61);
let counting = false;
let stopping = false;
let counted = 0;
let total = 0;
let start = 0n;

function pingPong(socket) {
  let pending = size;
  socket.setNoDelay(true);
  socket.on("data", (data) => {
    pending -= data.length;
    if (pending > 0) return;
    if (pending < 0) throw new Error(`the server sent ${-pending} bytes too many`);
    total++;
    if (counting) counted++;
    pending = size;
    // Stop between round trips, so neither side sees a reset with data in flight.
    if (stopping) socket.end();
    else socket.write(message);
  });
  socket.write(message);
}

const sockets = [];
for (let i = 0; i < connections; i++) {
  const socket = net.connect({ port, host: "127.0.0.1" }, () => pingPong(socket));
  socket.on("error", (error) => {
    console.error(`pingpong: ${error.message}`);
    process.exit(1);
  });
  sockets.push(socket);
}
setTimeout(() => {
  counting = true;
  start = process.hrtime.bigint();
  setTimeout(() => {
    counting = false;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    stopping = true;
    const result = { roundTrips: counted, seconds: elapsed, totalRoundTrips: total };
    console.log(JSON.stringify({ ...result, roundTripsPerSec: counted / elapsed }));
  }, seconds * 1000);
}, warmup * 1000);
