/**
 * The `twist` command: parse the command line, find the plugin (or the app file), and run it in
 * the foreground, as a daemon, or as a cluster of workers.
 * @packageDocumentation
 */
import cluster from "node:cluster";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { type IService, reactor } from "@twisted-ts/core";
import { loadApplication } from "./app.js";
import { isDaemonChild, startDaemon } from "./daemon.js";
import { PluginLoadError, type TwistError, UsageError } from "./errors.js";
import { type PluginSummary, pluginHelp, twistHelp } from "./help.js";
import { parsePluginArgs, parseTwistArgs, type TwistCommandLine } from "./options.js";
import { checkPidfile } from "./pidfile.js";
import { discoverPlugins, loadPlugin, type PluginEntry, pluginPathFromEnv } from "./plugins.js";
import { portforwardPlugin } from "./portforward/plugin.js";
import { type RunRole, type RunTarget, runService } from "./runner.js";
import type { AnyServiceMaker } from "./serviceMaker.js";
import { VERSION } from "./version.js";
import { runPrimary } from "./workers.js";

/** The plugins that come with `twist` itself. */
const BUILTIN: readonly AnyServiceMaker[] = [portforwardPlugin];

/** Exit status for a command-line error: `EX_USAGE`, as Twisted's `twist` uses. */
const EX_USAGE = 64;

interface Found {
  readonly maker: AnyServiceMaker;
  readonly from: string;
}

function discovered(): PluginEntry[] {
  const here = dirname(fileURLToPath(import.meta.url));
  return discoverPlugins({ searchFrom: [process.cwd(), here], pluginPath: pluginPathFromEnv() });
}

async function summaries(): Promise<PluginSummary[]> {
  const builtins = BUILTIN.map((m) => ({ name: m.name, description: m.description }));
  const taken = new Set(builtins.map((p) => p.name));
  const others = await Promise.all(
    discovered()
      .filter((entry) => !taken.has(entry.name))
      .map(async (entry) => {
        try {
          const maker = await loadPlugin(entry);
          return { name: entry.name, description: maker.description };
        } catch (error) {
          return {
            name: entry.name,
            description: `(cannot be loaded: ${(error as Error).message})`,
          };
        }
      }),
  );
  return [...builtins, ...others];
}

async function findPlugin(name: string): Promise<Found> {
  const builtin = BUILTIN.find((maker) => maker.name === name);
  if (builtin !== undefined) return { maker: builtin, from: "@twisted-ts/twist" };
  const entries = discovered();
  const entry = entries.find((e) => e.name === name);
  if (entry === undefined) {
    const names = [...BUILTIN.map((m) => m.name), ...entries.map((e) => e.name)].sort();
    throw new UsageError(`no plugin named ${JSON.stringify(name)}; installed: ${names.join(", ")}`);
  }
  return { maker: await loadPlugin(entry), from: entry.packageName };
}

function usage(error: UsageError, plugin: string | undefined): number {
  const more = plugin === undefined ? "twist --help" : `twist ${plugin} --help`;
  process.stderr.write(
    `twist: ${error.message}\n` +
      "Usage: twist [options] <plugin> [plugin options]\n" +
      "       twist [options] --app FILE\n" +
      `Try \`${more}\` for more.\n`,
  );
  return EX_USAGE;
}

function roleOf(command: TwistCommandLine): RunRole {
  if (cluster.isWorker) return "worker";
  return command.options.daemon && isDaemonChild() ? "daemon" : "foreground";
}

async function target(command: TwistCommandLine): Promise<RunTarget | number> {
  const { plugin, pluginArgs, options } = command;
  if (plugin === undefined) {
    const file = options.app as string;
    return { label: file, load: () => loadApplication(file) };
  }
  const found = await findPlugin(plugin);
  const parsed = parsePluginArgs(found.maker, pluginArgs);
  if (parsed.help || options.help) {
    process.stdout.write(pluginHelp({ ...found.maker, name: plugin }));
    return 0;
  }
  return {
    label: `plugin ${plugin} (${found.from})`,
    load: async (): Promise<IService> => found.maker.makeService(parsed.values, reactor),
  };
}

/**
 * Run the `twist` command.
 * @param args - the arguments, without `node` and the script.
 * @returns the exit code.
 */
export async function main(args: readonly string[]): Promise<number> {
  let command: TwistCommandLine;
  try {
    command = parseTwistArgs(args);
  } catch (error) {
    if (error instanceof UsageError) return usage(error, undefined);
    throw error;
  }
  const { options } = command;
  if (options.version) {
    process.stdout.write(`twist (@twisted-ts/twist) ${VERSION}\n`);
    return 0;
  }
  if (command.plugin === undefined && (options.help || options.app === undefined)) {
    process.stdout.write(twistHelp(await summaries()));
    return 0;
  }
  let run: RunTarget | number;
  try {
    run = await target(command);
  } catch (error) {
    if (error instanceof UsageError) return usage(error, command.plugin);
    if (error instanceof PluginLoadError) {
      process.stderr.write(`twist: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (typeof run === "number") return run;

  const role = roleOf(command);
  if (options.daemon && role === "foreground") {
    try {
      if (options.pidfile !== undefined) checkPidfile(options.pidfile);
    } catch (error) {
      process.stderr.write(`twist: ${(error as TwistError).message}\n`);
      return 1;
    }
    const started = await startDaemon(args);
    if (started.error !== undefined) process.stderr.write(`twist: ${started.error}\n`);
    return started.code;
  }
  if (options.workers !== undefined && role !== "worker") {
    return runPrimary(options, args, role);
  }
  return runService(options, run, role, reactor);
}
