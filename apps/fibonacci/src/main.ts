/**
 * The persistent Fibonacci server as a program of its own, without `twist`:
 *
 *   pnpm --filter fibonacci server [--listen tcp:8031:interface=127.0.0.1] [--state fib.json]
 *
 * With `--state`, it resumes the sequence from that file when it exists, and saves the sequence
 * there when it stops cleanly (SIGTERM or SIGINT). The file has the shape `twist --state-file`
 * writes, so the two runners can take turns.
 * @packageDocumentation
 */
import { parseArgs } from "node:util";
import {
  Application,
  collectState,
  Deferred,
  globalLogBeginner,
  reactor,
  restoreState,
  textFileLogObserver,
} from "@twisted-ts/core";
import { DEFAULT_LISTEN, makeService } from "./fibonacci.js";
import { loadState, saveState } from "./stateFile.js";

const usage = `usage: fibonacci [--listen ENDPOINT] [--state FILE]

  --listen ENDPOINT  where to listen (default: $FIB_LISTEN or ${DEFAULT_LISTEN})
  --state FILE       resume from FILE, and save the sequence there on SIGTERM/SIGINT
`;

const { values } = parseArgs({
  options: {
    listen: { type: "string" },
    state: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  process.stdout.write(usage);
  process.exit(0);
}

globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stderr)], {
  redirectStandardIO: false,
});

const application = new Application("fibonacci");
const service = makeService({
  listen: values.listen ?? process.env.FIB_LISTEN ?? DEFAULT_LISTEN,
  reactor,
});
service.setServiceParent(application);

const statePath = values.state;
if (statePath !== undefined) {
  const saved = loadState(statePath);
  if (saved !== undefined) restoreState(application, saved);
}

application.privilegedStartService();
application.startService();
reactor.addSystemEventTrigger("before", "shutdown", () =>
  application.stopService().addCallback(() => {
    if (statePath === undefined) return undefined;
    return Deferred.fromPromise(saveState(statePath, collectState(application))).addCallback(() => {
      console.log(`state saved to ${statePath}`);
    });
  }),
);

// Say so once running: from then on SIGTERM and SIGINT stop the server cleanly.
reactor.callWhenRunning(() => {
  const port = service.listener.listeningPort;
  console.log(
    `Fibonacci server listening on ${String(port?.getHost())}; next after ${service.factory.sequence.b}`,
  );
});

await reactor.run();
