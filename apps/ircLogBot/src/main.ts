/**
 * ircLogBot.py's main: log a channel to a file.
 *
 *   ircLogBot <channel> <logfile> [--server host:port] [--nick name]
 *   pnpm --filter irclogbot bot test test.log --server 127.0.0.1:6667
 *
 * will log channel #test to the file 'test.log'.
 */
import { globalLogBeginner, reactor, textFileLogObserver } from "@twisted-ts/core";
import { parseLogBotArgs } from "./args.js";
import { LogBotFactory } from "./logBot.js";

let args: ReturnType<typeof parseLogBotArgs>;
try {
  args = parseLogBotArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

// initialize logging
globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stdout)], {
  redirectStandardIO: false,
});

// create factory protocol and application
const f = new LogBotFactory(args.channel, args.logfile, { reactor, nickname: args.nick });

// connect factory to this host and port
reactor.connectTCP(args.host, args.port, f);

// run bot
await reactor.run();
if (f.failure !== null) {
  console.error(
    `ircLogBot: could not connect to ${args.host}:${args.port}: ${f.failure.getErrorMessage()}`,
  );
  process.exitCode = 1;
}
