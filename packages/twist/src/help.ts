/**
 * The text of `twist --help` and `twist <plugin> --help`.
 * @packageDocumentation
 */
import { TWIST_OPTIONS } from "./options.js";
import type { ServiceMakerOption } from "./serviceMaker.js";

/** One line of the plugin list in `twist --help`. */
export interface PluginSummary {
  /** The plugin's name. */
  readonly name: string;
  /** Its description, or why it could not be loaded. */
  readonly description: string;
}

function optionLines(options: Readonly<Record<string, ServiceMakerOption>>): string[] {
  const rows = Object.entries(options).map(([name, option]) => {
    const value = option.type === "string" ? ` ${option.valueName ?? "VALUE"}` : "";
    const short = option.short === undefined ? "    " : `-${option.short}, `;
    let help = option.help;
    const fallback = option.default;
    if (
      fallback !== undefined &&
      fallback !== false &&
      !(Array.isArray(fallback) && fallback.length === 0)
    ) {
      help += ` (default: ${Array.isArray(fallback) ? fallback.join(", ") : String(fallback)})`;
    }
    if (option.multiple === true) help += " [repeatable]";
    return [`  ${short}--${name}${value}`, help] as const;
  });
  const width = Math.max(0, ...rows.map(([left]) => left.length)) + 2;
  return rows.map(([left, help]) => `${left.padEnd(width)}${help}`);
}

/**
 * The text of `twist --help`: usage, the runner's options, and every plugin with its
 * description, sorted by name.
 * @param plugins - the installed plugins.
 * @returns the help text, ending with a newline.
 */
export function twistHelp(plugins: readonly PluginSummary[]): string {
  const sorted = [...plugins].sort((a, b) => a.name.localeCompare(b.name));
  const width = Math.max(0, ...sorted.map((p) => p.name.length)) + 4;
  const lines = [
    "Usage: twist [options] <plugin> [plugin options]",
    "       twist [options] --app FILE",
    "",
    "Runs a plugin's service, or the `application` an app file exports, until SIGTERM or SIGINT.",
    "",
    "Options:",
    ...optionLines(TWIST_OPTIONS),
    "",
    "Plugins:",
    ...(sorted.length === 0
      ? ["  (none installed)"]
      : sorted.map((p) => `  ${p.name.padEnd(width)}${p.description}`)),
    "",
    "`twist <plugin> --help` shows a plugin's options.",
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The text of `twist <plugin> --help`: usage, description, options and the plugin's longer
 * usage text.
 * @param plugin - the plugin's name, description, options and `usage`.
 * @returns the help text, ending with a newline.
 */
export function pluginHelp(plugin: {
  readonly name: string;
  readonly description: string;
  readonly options: Readonly<Record<string, ServiceMakerOption>>;
  readonly usage?: string;
}): string {
  const options: Record<string, ServiceMakerOption> = { ...plugin.options };
  if (!Object.hasOwn(options, "help")) {
    const shortTaken = Object.values(options).some((o) => o.short === "h");
    options.help = {
      type: "boolean",
      ...(shortTaken ? {} : { short: "h" }),
      help: "Show this help and exit",
    };
  }
  const lines = [
    `Usage: twist [options] ${plugin.name} [${plugin.name} options]`,
    "",
    plugin.description,
    "",
    "Options:",
    ...optionLines(options),
  ];
  if (plugin.usage !== undefined && plugin.usage !== "") lines.push("", plugin.usage.trimEnd());
  return `${lines.join("\n")}\n`;
}
