/**
 * Twisted's TwistedQuotes application (quoteproto.py + quoters.py + quotetap.py): a Quote of
 * the Day server with a StaticQuoter or a FortuneQuoter behind a QOTDFactory.
 *
 *   pnpm --filter qotd server [--port 8007] [--interface 127.0.0.1]
 *                             [--quote "…" | --fortune FILE [--fortune FILE…]] [--udp]
 *   pnpm --filter qotd start   (port 8007, fortunes/quotes.txt)
 */
import { parseArgs } from "node:util";
import {
  globalLogBeginner,
  type IListeningPort,
  type IUDPPort,
  reactor,
  textFileLogObserver,
} from "@twisted-ts/core";
import {
  FortuneQuoter,
  type IQuoter,
  QOTDDatagramProtocol,
  QOTDFactory,
  StaticQuoter,
} from "@twisted-ts/qotd";

/** The quote served when neither --quote nor --fortune is given, as in quotetap.py. */
export const DEFAULT_QUOTE = "An apple a day keeps the doctor away.";

/** The command line, parsed. */
export interface QOTDArgs {
  /** The TCP port (0 for any free one). */
  port: number;
  /** The address to listen on. */
  iface: string;
  /** A static quote, when given. */
  quote: string | undefined;
  /** Fortune files, when given. */
  fortune: string[];
  /** Whether to answer UDP datagrams on the same port number too. */
  udp: boolean;
}

/**
 * Parse the command line.
 * @param argv - the arguments after the script's name.
 * @throws Error for an unknown option, a bad port, or both --quote and --fortune.
 */
export function parseQOTDArgs(argv: string[]): QOTDArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", short: "p", default: "8007" },
      interface: { type: "string", default: "127.0.0.1" },
      quote: { type: "string", short: "s" },
      fortune: { type: "string", short: "f", multiple: true },
      udp: { type: "boolean", default: false },
    },
  });
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) throw new Error(`bad port: ${values.port}`);
  const fortune = values.fortune ?? [];
  if (values.quote !== undefined && fortune.length > 0) {
    throw new Error("give --quote or --fortune, not both");
  }
  return { port, iface: values.interface, quote: values.quote, fortune, udp: values.udp };
}

/**
 * Make the quoter the arguments ask for: a FortuneQuoter for --fortune (its files read now, so
 * a missing one stops the program), otherwise a StaticQuoter.
 * @param args - the parsed command line.
 */
export async function makeQuoter(args: QOTDArgs): Promise<{ quoter: IQuoter; what: string }> {
  if (args.fortune.length > 0) {
    const quoter = new FortuneQuoter(args.fortune);
    const count = await quoter.load();
    return { quoter, what: `${count} quotes from ${args.fortune.join(", ")}` };
  }
  return { quoter: new StaticQuoter(args.quote ?? DEFAULT_QUOTE), what: "a static quote" };
}

/**
 * Listen with the quoter: TCP on the port, and UDP on the same number when asked.
 * @returns the ports.
 */
export function listen(
  quoter: IQuoter,
  args: Pick<QOTDArgs, "port" | "iface" | "udp">,
): { tcp: IListeningPort; udp: IUDPPort | undefined } {
  const tcp = reactor.listenTCP(args.port, new QOTDFactory(quoter, { clock: reactor }), {
    interface: args.iface,
  });
  const number = (tcp.getHost() as { port: number }).port;
  const udp = args.udp
    ? reactor.listenUDP(number, new QOTDDatagramProtocol(quoter, { clock: reactor }), {
        interface: args.iface,
      })
    : undefined;
  return { tcp, udp };
}

async function main(): Promise<void> {
  let args: QOTDArgs;
  try {
    args = parseQOTDArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`qotd: ${(error as Error).message}`);
    process.exitCode = 2;
    return;
  }
  let made: Awaited<ReturnType<typeof makeQuoter>>;
  try {
    made = await makeQuoter(args);
  } catch (error) {
    console.error(`qotd: ${(error as Error).message}`);
    process.exitCode = 1;
    return;
  }
  globalLogBeginner.beginLoggingTo([textFileLogObserver(process.stdout)], {
    redirectStandardIO: false,
  });
  const { tcp, udp } = listen(made.quoter, args);
  console.log(`qotd: serving ${made.what}`);
  console.log(`qotd server listening on ${String(tcp.getHost())}`);
  if (udp !== undefined) console.log(`qotd server listening on ${String(udp.getHost())}`);
  await reactor.run();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
}
