/**
 * Benchmark P7: 10 KB messages per second over 16 SMTP connections.
 *
 * One load client (`bench/clients/smtpload.mjs`, plain Node, its own process) drives each
 * server in turn: every connection says EHLO once, then sends messages one after another
 * (MAIL, RCPT, DATA, 10 KB of body, "."), each command waiting for its reply, for a fixed time.
 * Both servers run in the bench process and accept every message into memory and drop it (the
 * protocol is measured, not a disk):
 * - ours: `ESMTPFactory` with an `IMessageDelivery` whose messages count their lines;
 * - nodemailer's `smtp-server` 3.21.6 with `onData` draining the stream.
 * - raw node:net: the least an SMTP responder can do (find each command's line end, or the
 *   DATA end, and write the fixed reply): the limit of what any server reaches on this load.
 * Target: ours ≥ 1.5× smtp-server; the raw responder shows how far the limit itself gets.
 * @packageDocumentation
 */
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { type IListeningPort, type IPv4Address, Reactor } from "@twisted-ts/core";
import { ESMTPFactory, type IMessage, type IMessageDelivery } from "@twisted-ts/smtp";
import { SMTPServer } from "smtp-server";
import type { CustomBenchmark, CustomSide, Measurement } from "../custom.js";
import { defaultTimeMs } from "../harness.js";
import { ownCpuSeconds, runClient } from "../processes.js";

const CONNECTIONS = 16;
const SIZE = 10 * 1024;
const seconds = (): number => (2 * defaultTimeMs()) / 1000;

class Discard implements IMessage {
  lines = 0;
  lineReceived(): void {
    this.lines++;
  }
  eomReceived(): null {
    return null;
  }
  connectionLost(): void {}
}

const delivery: IMessageDelivery = {
  receivedHeader: () => null,
  validateFrom: (_helo, origin) => origin,
  validateTo: () => () => new Discard(),
};

interface LoadResult {
  messagesPerSec: number;
}

async function measure(port: number): Promise<Measurement> {
  const cpu = ownCpuSeconds();
  const result = (await runClient("clients/smtpload.mjs", [
    port,
    CONNECTIONS,
    SIZE,
    seconds(),
    0.5,
  ])) as LoadResult;
  const used = ownCpuSeconds() - cpu;
  const messages = result.messagesPerSec * seconds();
  return {
    value: result.messagesPerSec,
    details: { "server CPU µs/message": messages > 0 ? (used * 1e6) / messages : Number.NaN },
  };
}

function oursSide(): CustomSide {
  let reactor: Reactor | undefined;
  let running: Promise<void> | undefined;
  let port: IListeningPort | undefined;
  return {
    key: "ours",
    name: "twisted-ts ESMTP",
    start: async () => {
      reactor = new Reactor();
      running = reactor.run({ installSignalHandlers: false });
      const factory = new ESMTPFactory(null, { delivery, clock: reactor, domain: "bench.local" });
      factory.noisy = false;
      port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    },
    measure: () => {
      if (port === undefined) throw new Error("P7: our server is not listening");
      return measure((port.getHost() as IPv4Address).port);
    },
    stop: async () => {
      await port?.stopListening();
      reactor?.stop();
      await running;
    },
  };
}

function smtpServerSide(): CustomSide {
  let server: SMTPServer | undefined;
  let port = 0;
  return {
    key: "smtp-server",
    name: "smtp-server 3.21.6 (nodemailer)",
    start: async () => {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ["STARTTLS", "AUTH"],
        logger: false,
        size: 10 * 1024 * 1024,
        onData(stream, _session, callback) {
          stream.on("data", () => {});
          stream.on("end", () => callback());
        },
      });
      await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", () => resolve()));
      port = (server.server.address() as AddressInfo).port;
    },
    measure: () => measure(port),
    stop: async () => {
      await new Promise<void>((resolve) => server?.close(() => resolve()));
    },
  };
}

/** A raw responder: fixed replies, no parsing beyond finding line ends and the DATA end. */
function rawResponder(socket: Socket): void {
  let inData = false;
  let tail = "";
  socket.setNoDelay(true);
  socket.setEncoding("latin1");
  socket.write("220 raw ESMTP\r\n");
  socket.on("error", () => {});
  socket.on("data", (text: string) => {
    let data = tail + text;
    let out = "";
    for (;;) {
      if (inData) {
        const end = data.indexOf("\r\n.\r\n");
        if (end < 0) {
          tail = data.slice(-4);
          break;
        }
        data = data.slice(end + 5);
        inData = false;
        out += "250 OK\r\n";
        continue;
      }
      const end = data.indexOf("\r\n");
      if (end < 0) {
        tail = data;
        break;
      }
      const verb = data.slice(0, 4).toUpperCase();
      data = data.slice(end + 2);
      if (verb === "DATA") {
        inData = true;
        out += "354 go ahead\r\n";
      } else if (verb === "QUIT") {
        out += "221 bye\r\n";
      } else {
        out += "250 OK\r\n";
      }
    }
    if (out !== "") socket.write(out);
  });
}

function rawSide(): CustomSide {
  let server: Server | undefined;
  return {
    key: "raw",
    name: "raw node:net responder",
    start: async () => {
      server = createServer(rawResponder);
      await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", () => resolve()));
    },
    measure: () => {
      if (server === undefined) throw new Error("P7: the raw responder is not listening");
      return measure((server.address() as AddressInfo).port);
    },
    stop: async () => {
      await new Promise<void>((resolve) => server?.close(() => resolve()));
    },
  };
}

/** P7. */
export const benchmark: CustomBenchmark = {
  kind: "custom",
  id: "P7",
  title: `SMTP: 10 KB messages over ${CONNECTIONS} connections`,
  unit: "message",
  metric: "messages/s",
  better: "higher",
  repetitions: 5,
  sides: [oursSide(), smtpServerSide(), rawSide()],
  comparisons: [
    {
      id: "P7",
      title: "10 KB messages/s into the server",
      ours: "ours",
      baseline: "smtp-server",
      target: { ratio: 1.5, description: "at least 1.5× nodemailer's smtp-server" },
      limit: "raw",
    },
    { id: "P7b", title: "10 KB messages/s vs a raw responder", ours: "ours", baseline: "raw" },
  ],
};
