/**
 * Benchmark P6: our IRC line parser against irc-framework's, on the same captured lines.
 *
 * Both sides parse every line of `bench/fixtures/irc-lines.txt` (200 server lines: registration
 * numerics and ISUPPORT, CAP, NAMES, topics, PRIVMSG with and without IRCv3 tags, JOIN, PART,
 * QUIT, NICK, MODE, NOTICE, PING, long messages near 512 bytes) once per call. The lines are
 * handed over as a framing layer would: decoded strings without their CRLF. The first call of
 * each side records the command it found for every line; once both have, a difference in the
 * number of lines or in any command throws. Target: ours at least 1.5× irc-framework.
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";
import { parseMessage } from "@twisted-ts/irc";
import parseIrcLine from "irc-framework/src/irclineparser.js";
import type { Comparison } from "../harness.js";
import { benchFile } from "../processes.js";

/** The captured lines, without their CRLF. */
const LINES: readonly string[] = readFileSync(benchFile("fixtures/irc-lines.txt"), "utf8")
  .split("\r\n")
  .filter((line) => line !== "");

/** The commands each side found on its first call, kept until both are there to compare. */
let oursCommands: string[] | undefined;
let baselineCommands: string[] | undefined;

function compareCommands(): void {
  if (oursCommands === undefined || baselineCommands === undefined) return;
  if (oursCommands.length !== LINES.length || baselineCommands.length !== LINES.length) {
    throw new Error(
      `parsed ${oursCommands.length} (ours) and ${baselineCommands.length} (irc-framework) of ${LINES.length} lines`,
    );
  }
  for (let i = 0; i < LINES.length; i++) {
    if (oursCommands[i] !== baselineCommands[i]) {
      throw new Error(
        `line ${i + 1}: ours found ${oursCommands[i]}, irc-framework ${baselineCommands[i]}: ${LINES[i]}`,
      );
    }
  }
}

/** The parameters counted over the last call: every parse's result escapes into it. */
let sink = 0;

function checkParsed(): void {
  if (sink === 0) throw new Error("the batch parsed no parameters");
}

function parseOurs(): void {
  const record: string[] | undefined = oursCommands === undefined ? [] : undefined;
  let params = 0;
  for (const line of LINES) {
    const message = parseMessage(line);
    params += message.params.length;
    record?.push(message.command);
  }
  sink = params;
  checkParsed();
  if (record !== undefined) {
    oursCommands = record;
    compareCommands();
  }
}

function parseBaseline(): void {
  const record: string[] | undefined = baselineCommands === undefined ? [] : undefined;
  let params = 0;
  for (const line of LINES) {
    const message = parseIrcLine(line);
    params += message.params.length;
    record?.push(message.command);
  }
  sink = params;
  checkParsed();
  if (record !== undefined) {
    baselineCommands = record;
    compareCommands();
  }
}

/** P6. */
export const comparison: Comparison = {
  id: "P6",
  title: "parse 200 captured IRC lines",
  ours: { name: "parseMessage", fn: parseOurs, async: false },
  baseline: { name: "irc-framework 4.14.0 irclineparser", fn: parseBaseline, async: false },
  target: { ratio: 1.5, description: "our parser at least 1.5× irc-framework's" },
  opsPerCall: LINES.length,
  unit: "line",
};
