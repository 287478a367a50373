// The P7 load client: `connections` SMTP sessions to a server, each sending messages of `size`
// bytes one after another (EHLO once, then MAIL, RCPT, DATA, the body, "." per message, each
// command waiting for its reply), for `seconds` after a warmup.
// Prints one JSON line: { messages, seconds, messagesPerSec }.
// Usage: node smtpload.mjs <port> [connections=16] [size=10240] [seconds=3] [warmupSeconds=0.5]
import net from "node:net";

const [port, connections = 16, size = 10240, seconds = 3, warmup = 0.5] = process.argv
  .slice(2)
  .map(Number);
const line = `${"x".repeat(76)}\r\n`;
const body = Buffer.from(
  `${`From: a@example.org\r\nTo: b@example.com\r\nSubject: load\r\n\r\n${line.repeat(Math.ceil(size / line.length))}`.slice(
    0,
    size - 2,
  )}\r\n.\r\n`,
);
let counting = false;
let stopping = false;
let counted = 0;
let start = 0n;

function session(socket) {
  const steps = [
    "EHLO load.example\r\n",
    "MAIL FROM:<a@example.org>\r\n",
    "RCPT TO:<b@example.com>\r\n",
    "DATA\r\n",
    body,
  ];
  let step = -1; // -1: waiting for the greeting
  let buffer = "";
  socket.setNoDelay(true);
  socket.setEncoding("latin1");
  socket.on("data", (text) => {
    buffer += text;
    // A reply is complete at a line "NNN text" (not "NNN-").
    for (;;) {
      const end = buffer.indexOf("\r\n");
      if (end < 0) return;
      const reply = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (reply[3] === "-") continue;
      const code = Number(reply.slice(0, 3));
      if (code >= 400) {
        console.error(`smtpload: ${reply} (step ${step})`);
        process.exit(1);
      }
      if (step === steps.length - 1) {
        // The message was accepted.
        if (counting) counted++;
        if (stopping) {
          socket.end("QUIT\r\n");
          return;
        }
        step = 0; // loop back to MAIL
      }
      step++;
      socket.write(steps[step]);
    }
  });
}

for (let i = 0; i < connections; i++) {
  const socket = net.connect({ port, host: "127.0.0.1" }, () => session(socket));
  socket.on("error", (error) => {
    if (stopping) return;
    console.error(`smtpload: ${error.message}`);
    process.exit(1);
  });
}
setTimeout(() => {
  counting = true;
  start = process.hrtime.bigint();
  setTimeout(() => {
    counting = false;
    stopping = true;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    process.stdout.write(
      `${JSON.stringify({ messages: counted, seconds: elapsed, messagesPerSec: counted / elapsed })}\n`,
    );
    setTimeout(() => process.exit(0), 200);
  }, seconds * 1000);
}, warmup * 1000);
