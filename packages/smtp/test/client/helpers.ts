/**
 * Helpers for the client's unit tests: a client that records what it is told, and a pump for
 * the body producer over a StringTransport.
 */
import type { StringTransport } from "@twisted-ts/core/testing";
import type { MessageData, RecipientResult, SMTPClient } from "../../src/index.js";

/** One message a recording client sends. */
export interface Outgoing {
  from: string;
  to: string[];
  data: MessageData;
}

/** What `sentMail` was called with. */
export interface SentRecord {
  code: number;
  resp: string;
  numOk: number;
  addresses: RecipientResult[];
  log: string;
}

/** The recorder attached to a client. */
export interface Recorder {
  sent: SentRecord[];
  errors: Error[];
}

/** Make `client` send `messages` in order and record `sentMail` and `sendError`. */
export function record<C extends SMTPClient>(client: C, messages: Outgoing[]): Recorder {
  const rec: Recorder = { sent: [], errors: [] };
  let index = 0;
  client.getMailFrom = () => messages[index]?.from ?? null;
  client.getMailTo = () => messages[index]?.to ?? [];
  client.getMailData = () => messages[index]?.data ?? "";
  client.sentMail = (code, resp, numOk, addresses, log) => {
    rec.sent.push({ code, resp, numOk, addresses: [...addresses], log });
    index++;
  };
  const sendError = client.sendError.bind(client);
  client.sendError = (exc: Error) => {
    rec.errors.push(exc);
    sendError(exc);
  };
  return rec;
}

/** Feed the client text from the server. */
export function feed(client: SMTPClient, text: string): void {
  client.dataReceived(Buffer.from(text, "utf8"));
}

/** Pull the registered producer until it unregisters (waiting for async reads). */
export async function drain(transport: StringTransport, maxRounds = 10_000): Promise<void> {
  for (let i = 0; i < maxRounds; i++) {
    const producer = transport.producer;
    if (producer === undefined) {
      // An async read may still be on its way to register or finish.
      await new Promise((r) => setImmediate(r));
      if (transport.producer === undefined) return;
      continue;
    }
    producer.resumeProducing();
    await new Promise((r) => setImmediate(r));
  }
  throw new Error("the producer never finished");
}

/** The lines written so far, split on CRLF (the last, empty piece dropped). */
export function written(transport: StringTransport): string[] {
  const parts = transport.value().toString("utf8").split("\r\n");
  if (parts.at(-1) === "") parts.pop();
  return parts;
}

/** Undo dot-stuffing of a DATA body (the part between the 354 and the terminator). */
export function unstuff(wire: string): string {
  return wire.replace(/(^|\r\n)\.\./g, "$1.");
}
