/**
 * The Fibonacci server as an app file, for the `twist` runner (Twisted's `.tac` idea):
 *
 *   twist --state-file fib.json --app apps/fibonacci/src/app.ts
 *
 * It listens on `$FIB_LISTEN`, or on `tcp:8031:interface=127.0.0.1`. With `--state-file`, twist
 * saves the sequence when it stops cleanly (SIGTERM, SIGINT) and gives it back at the next start,
 * so no number is handed out twice.
 * @packageDocumentation
 */
import { Application, reactor } from "@twisted-ts/core";
import { DEFAULT_LISTEN, makeService } from "./fibonacci.js";

/**
 * The application: one service named "fibonacci" (its state is saved under that name), which
 * listens on `$FIB_LISTEN ?? DEFAULT_LISTEN` with the global reactor.
 */
export const application: Application = new Application("fibonacci");

makeService({ listen: process.env.FIB_LISTEN ?? DEFAULT_LISTEN, reactor }).setServiceParent(
  application,
);
