/**
 * `LMTP`: the Local Mail Transfer Protocol (RFC 2033) on top of the ESMTP server.
 * @packageDocumentation
 */
import type { Failure } from "@twisted-ts/core";
import type { User } from "../address.js";
import { SMTPServerError } from "../errors.js";
import { ESMTP } from "./esmtp.js";
import type { CommandHandler, CommandResult } from "./smtp.js";

/**
 * An LMTP server: ESMTP with LHLO instead of HELO and EHLO, and, after the message (DATA or
 * BDAT LAST), one reply per accepted recipient, in the order they were accepted, each saying
 * whether that recipient's `eomReceived` succeeded. Twisted has no LMTP server.
 */
export class LMTP extends ESMTP {
  /** @returns `<host> NO UCE NO UBE NO RELAY PROBES LMTP`. */
  override greeting(): string {
    return `${this.host} NO UCE NO UBE NO RELAY PROBES LMTP`;
  }

  /** HELO and EHLO are not LMTP commands (RFC 2033 §4.1). */
  override lookupMethod(verb: string): CommandHandler | undefined {
    if (verb === "HELO" || verb === "EHLO") return undefined;
    return super.lookupMethod(verb);
  }

  /** LHLO: as EHLO. */
  do_LHLO(rest: string): CommandResult {
    return this.do_EHLO(rest);
  }

  /** One reply per recipient: `250 2.1.5 <addr> Delivery in progress`, or its failure. */
  override messageHandled(
    results: readonly (readonly [boolean, unknown])[],
    users: readonly User[],
  ): void {
    results.forEach(([ok, value], i) => {
      const who = `<${String(users[i])}>`;
      if (ok) {
        this.sendCode(250, `${who} Delivery in progress`, "2.1.5");
        return;
      }
      const error = (value as Failure).value;
      this.log.failure("message delivery failed", value);
      if (error instanceof SMTPServerError) this.sendError(error, `${who} ${error.resp}`);
      else this.sendCode(550, `${who} Could not send e-mail`, "5.0.0");
    });
  }

  /** A message refused while received: the same reply once per recipient. */
  protected override sendDataFailed(error: SMTPServerError, users: readonly User[]): void {
    for (const user of users) this.sendError(error, `<${String(user)}> ${error.resp}`);
    if (users.length === 0) this.sendError(error);
  }

  /** @returns "LMTP" (RFC 3848), with S and A as for ESMTP. */
  override withProtocol(): string {
    return `LMTP${this.startedTLS ? "S" : ""}${this.authenticated ? "A" : ""}`;
  }
}
