/**
 * The plugin contract: what a package's `twist` plugin module exports. Twisted's
 * `IServiceMaker` (`tapname`, `description`, `options`, `makeService(options)`).
 * @packageDocumentation
 */
import type { parseArgs } from "node:util";
import type { IService, Reactor } from "@twisted-ts/core";

/** One option config of `node:util` `parseArgs` (which @types/node does not export by name). */
export type ParseArgsOptionConfig = NonNullable<
  NonNullable<Parameters<typeof parseArgs>[0]>["options"]
>[string];

/**
 * One option of a plugin: a `node:util` `parseArgs` option config (`type`, `short`,
 * `multiple`, `default`; read-only here, so declarations can be `as const`) plus the text
 * `--help` shows for it.
 *
 * ```ts
 * const listen: ServiceMakerOption = {
 *   type: "string",
 *   multiple: true,
 *   default: ["tcp:8017"],
 *   help: "Where to listen (an endpoint description)",
 *   valueName: "DESCRIPTION",
 * };
 * ```
 */
export interface ServiceMakerOption {
  /** The kind of value: a string, or a flag. */
  readonly type: ParseArgsOptionConfig["type"];
  /** Whether the option may be given several times (its value is then an array). */
  readonly multiple?: boolean;
  /** A one-letter alias: `p` for `-p`. */
  readonly short?: string;
  /** The value when the option is not given; an array for a repeatable option. */
  readonly default?: string | boolean | readonly string[] | readonly boolean[];
  /** One line of help, shown by `twist <plugin> --help`. */
  readonly help: string;
  /** The placeholder for the value in help (`--listen DESCRIPTION`); default `VALUE`. */
  readonly valueName?: string;
}

/** A single-valued string option with a default: its parsed value is always present. */
export interface StringOptionWithDefault extends ServiceMakerOption {
  /** Always `"string"`. */
  readonly type: "string";
  /** Not repeatable. */
  readonly multiple?: false;
  /** The value when the option is not given. */
  readonly default: string;
}

/** A single-valued string option without a default: its parsed value may be `undefined`. */
export interface StringOption extends ServiceMakerOption {
  /** Always `"string"`. */
  readonly type: "string";
  /** Not repeatable. */
  readonly multiple?: false;
}

/** A plugin's options, by long name (`listen` for `--listen`). */
export type ServiceMakerOptions = { readonly [longName: string]: ServiceMakerOption };

/**
 * One value `V`, or the array of them for a repeatable option (`multiple: true`); either when
 * the config does not say.
 */
export type Repeatable<C, V> = C extends {
  /** Declared repeatable. */
  readonly multiple: true;
}
  ? V[]
  : C extends {
        /** Any type. */
        readonly type: unknown;
        /** Not declared repeatable. */
        readonly multiple?: false;
      }
    ? V
    : V | V[];

/** The value `parseArgs` gives for one option config. */
export type OptionValue<C> = C extends {
  /** A string option. */
  readonly type: "string";
}
  ? Repeatable<C, string>
  : C extends {
        /** A flag. */
        readonly type: "boolean";
      }
    ? Repeatable<C, boolean>
    : string | boolean | string[] | boolean[];

/**
 * The parsed values of a plugin's options, typed from its declarations: an option with a
 * `default` is always present, the others may be `undefined`. Declare the options `as const`
 * to get precise types:
 *
 * ```ts
 * const options = {
 *   port: { type: "string", default: "tcp:6666", help: "Where to listen" },
 *   verbose: { type: "boolean", short: "v", help: "Log every connection" },
 * } as const satisfies ServiceMakerOptions;
 * // OptionValues<typeof options> is { port: string; verbose: boolean | undefined }
 * ```
 */
export type OptionValues<O extends ServiceMakerOptions> = {
  -readonly [K in keyof O]: O[K] extends {
    /** Declared with a default. */
    readonly default: string | boolean | readonly string[] | readonly boolean[];
  }
    ? OptionValue<O[K]>
    : OptionValue<O[K]> | undefined;
};

/** The parsed values of any plugin's options, as `twist` hands them to `makeService`. */
export type PluginOptionValues = {
  [longName: string]: string | boolean | string[] | boolean[] | undefined;
};

/**
 * A `twist` plugin: Twisted's `IServiceMaker`. A package names the module that exports one in
 * its package.json (`"twist": { "plugins": { "<name>": "<export subpath>" } }`); `twist
 * <name> [options]` parses the options with `node:util` `parseArgs`, calls `makeService`, and
 * runs the service it returns.
 *
 * The module exports it as its default export, or is itself one (named exports `name`,
 * `description`, `options`, `makeService`). Plugins only need this type, so they import it with
 * `import type` and do not depend on `@twisted-ts/twist` at run time.
 *
 * ```ts
 * import type { ServiceMaker } from "@twisted-ts/twist";
 * const options = {
 *   listen: { type: "string", default: "tcp:8000", help: "Where to listen" },
 * } as const;
 * const plugin: ServiceMaker<typeof options> = {
 *   name: "hello",
 *   description: "Says hello to every connection",
 *   options,
 *   makeService: (opts, reactor) => strportsService(opts.listen, helloFactory, reactor),
 * };
 * export default plugin;
 * ```
 *
 * @typeParam O - the option declarations.
 * @typeParam R - the reactor type `makeService` needs; `twist` passes the global `Reactor`.
 */
export interface ServiceMaker<O extends ServiceMakerOptions = ServiceMakerOptions, R = Reactor> {
  /** The sub-command: `twist <name>`. Twisted's `tapname`. */
  readonly name: string;
  /** One line for `twist --help`. */
  readonly description: string;
  /** The options `twist <name>` takes. */
  readonly options: O;
  /** More text for `twist <name> --help`, after the option list. Twisted's `longdesc`. */
  readonly usage?: string;
  /**
   * Make the service to run, from the parsed options. `twist` then restores its state (with
   * `--state-file`), calls `privilegedStartService`, drops privileges, calls `startService` and
   * runs the reactor. Throw a `UsageError` (or any error) for options that do not make sense
   * together; `twist` prints the message and exits non-zero.
   * @param options - the parsed values of `options`.
   * @param reactor - the reactor to build the service on (the global one).
   * @returns the service, or a promise of it.
   */
  makeService(options: OptionValues<O>, reactor: R): IService | PromiseLike<IService>;
}

/** A service maker of any options, as `twist` holds it after loading. */
export type AnyServiceMaker = ServiceMaker<ServiceMakerOptions, Reactor>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/**
 * Whether a value has the shape of a service maker: a string `name` and a `makeService`
 * function.
 * @param value - anything, e.g. a module's default export.
 */
export function isServiceMaker(value: unknown): value is AnyServiceMaker {
  return (
    isRecord(value) && typeof value.name === "string" && typeof value.makeService === "function"
  );
}

/** An option given as a list entry: `{ name, description, type, multiple, default, … }`. */
interface ListedOption {
  name: string;
  description?: unknown;
  help?: unknown;
  type?: unknown;
  multiple?: unknown;
  short?: unknown;
  default?: unknown;
  valueName?: unknown;
}

function fromListed(entry: ListedOption): ServiceMakerOption {
  const type = entry.type === "boolean" ? "boolean" : "string";
  const multiple = entry.multiple === true;
  const help =
    typeof entry.help === "string"
      ? entry.help
      : typeof entry.description === "string"
        ? entry.description
        : "";
  let fallback = entry.default as ServiceMakerOption["default"];
  // parseArgs wants an array default for a repeatable option.
  if (multiple && fallback !== undefined && !Array.isArray(fallback)) {
    fallback = [fallback] as string[] | boolean[];
  }
  return {
    type,
    multiple,
    help,
    ...(typeof entry.short === "string" ? { short: entry.short } : {}),
    ...(fallback === undefined ? {} : { default: fallback }),
    ...(typeof entry.valueName === "string" ? { valueName: entry.valueName } : {}),
  };
}

/**
 * Bring a loaded service maker to the canonical shape. Options are declared as a record (see
 * `ServiceMakerOptions`); a list of `{ name, description, type, multiple, default }` entries is
 * accepted too and converted (a non-array default of a repeatable option becomes a one-item
 * array, as `parseArgs` requires).
 * @param maker - what the plugin module exported.
 * @returns a service maker whose `options` is a record.
 * @throws TypeError when `options` is neither a record nor a list of named entries.
 */
export function normalizeServiceMaker(maker: AnyServiceMaker): AnyServiceMaker {
  const declared: unknown = maker.options;
  const description = typeof maker.description === "string" ? maker.description : "";
  if (declared === undefined || declared === null) {
    return withOptions(maker, description, {});
  }
  if (Array.isArray(declared)) {
    const options: Record<string, ServiceMakerOption> = {};
    for (const entry of declared as unknown[]) {
      if (!isRecord(entry) || typeof entry.name !== "string") {
        throw new TypeError(`plugin ${maker.name}: an option in the list has no name`);
      }
      options[entry.name] = fromListed(entry as unknown as ListedOption);
    }
    return withOptions(maker, description, options);
  }
  if (!isRecord(declared)) {
    throw new TypeError(`plugin ${maker.name}: options must be a record of option configs`);
  }
  return withOptions(maker, description, declared as ServiceMakerOptions);
}

function withOptions(
  maker: AnyServiceMaker,
  description: string,
  options: ServiceMakerOptions,
): AnyServiceMaker {
  return {
    name: maker.name,
    description,
    options,
    ...(typeof maker.usage === "string" ? { usage: maker.usage } : {}),
    makeService: (values, reactor) => maker.makeService(values, reactor),
  };
}
