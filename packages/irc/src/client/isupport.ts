/**
 * A small store of the features a server announces in `005 RPL_ISUPPORT`.
 * @packageDocumentation
 */
import type { IRCCaseMapping } from "../message/casemapping.js";

/** One PREFIX entry: the status symbol shown before a nick and its rank (0 is highest). */
export interface PrefixEntry {
  /** The symbol, e.g. `"@"` for mode `o`. */
  readonly symbol: string;
  /** The rank, 0 for the first (most powerful) mode. */
  readonly rank: number;
}

/** The four CHANMODES groups. */
export interface ChannelModes {
  /** Type A: list modes that take an address (`b`, `e`, `I`). */
  readonly addressModes: string;
  /** Type B: modes that always take a parameter (`k`). */
  readonly param: string;
  /** Type C: modes that take a parameter only when set (`l`). */
  readonly setParam: string;
  /** Type D: modes that never take a parameter. */
  readonly noParam: string;
}

const INTEGER_FEATURES = new Set(["CHANNELLEN", "KICKLEN", "MODES", "NICKLEN", "TOPICLEN"]);
const CASEMAPPINGS = new Set<string>(["ascii", "rfc1459", "strict-rfc1459"]);

function parsePrefix(value: string): Map<string, PrefixEntry> | undefined {
  const match = /^\(([^)]*)\)(.*)$/.exec(value);
  if (match === null) return undefined;
  const modes = match[1] as string;
  const symbols = match[2] as string;
  if (modes.length !== symbols.length) return undefined;
  const map = new Map<string, PrefixEntry>();
  for (let i = 0; i < modes.length; i++) {
    map.set(modes[i] as string, { symbol: symbols[i] as string, rank: i });
  }
  return map;
}

function parseChanModes(value: string): ChannelModes | undefined {
  const parts = value.split(",");
  if (parts.length < 4) return undefined;
  return {
    addressModes: parts[0] as string,
    param: parts[1] as string,
    setParam: parts[2] as string,
    noParam: parts[3] as string,
  };
}

function unescapeValue(value: string): string {
  return value.replace(/\\x([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

/**
 * The ISUPPORT features a server announced, with Twisted's defaults until it announces others:
 * CHANNELLEN 200, CHANTYPES `#&`, MODES 3, NICKLEN 9, PREFIX `(ovh)@+%`, CHANMODES `b,,lk,`
 * and CASEMAPPING `rfc1459`.
 *
 * Typed values: PREFIX is a `Map` of mode → {@link PrefixEntry}; CHANMODES a
 * {@link ChannelModes}; CHANNELLEN, KICKLEN, MODES, NICKLEN and TOPICLEN numbers; CHANTYPES
 * and CASEMAPPING strings. Any other feature is kept as its (unescaped) string value, or
 * `true` when it had none. `-KEY` removes a feature. A bad value for a typed feature falls
 * back to the default (or removes it when it has none).
 *
 * Differences from Twisted: Twisted's `ServerSupportedFeatures` has typed parsers for more
 * features (CHANLIMIT, TARGMAX, MAXLIST, …) and keeps unknown features as tuples; here they
 * are strings.
 */
export class ServerSupportedFeatures {
  /** The features, by name. */
  readonly features = new Map<string, unknown>();

  constructor() {
    this.reset();
  }

  /** Restores Twisted's defaults, forgetting everything the server announced. */
  reset(): void {
    this.features.clear();
    for (const token of [
      "CHANNELLEN=200",
      "CHANTYPES=#&",
      "MODES=3",
      "NICKLEN=9",
      "PREFIX=(ovh)@+%",
      "CHANMODES=b,,lk,",
      "CASEMAPPING=rfc1459",
    ]) {
      this.parse([token]);
    }
  }

  private static defaultValue(name: string): unknown {
    return new ServerSupportedFeatures().features.get(name);
  }

  /**
   * Reads ISUPPORT tokens (the parameters of a 005 line between the nick and the trailing
   * text), e.g. `["PREFIX=(ov)@+", "-INVEX", "SAFELIST"]`.
   * @param tokens - the tokens.
   */
  parse(tokens: readonly string[]): void {
    for (const token of tokens) {
      if (token.startsWith("-")) {
        this.features.delete(token.slice(1).toUpperCase());
        continue;
      }
      const eq = token.indexOf("=");
      const name = (eq < 0 ? token : token.slice(0, eq)).toUpperCase();
      if (name === "") continue;
      const raw = eq < 0 ? undefined : unescapeValue(token.slice(eq + 1));
      let value: unknown;
      if (INTEGER_FEATURES.has(name)) {
        value = raw !== undefined && /^\d+$/.test(raw) ? Number.parseInt(raw, 10) : undefined;
      } else if (name === "PREFIX") {
        value = raw === undefined ? undefined : parsePrefix(raw);
      } else if (name === "CHANMODES") {
        value = raw === undefined ? undefined : parseChanModes(raw);
      } else if (name === "CASEMAPPING" || name === "CHANTYPES") {
        value = raw === undefined || raw === "" ? undefined : raw;
      } else {
        value = raw === undefined ? true : raw;
      }
      if (value === undefined) value = ServerSupportedFeatures.defaultValue(name);
      if (value === undefined) this.features.delete(name);
      else this.features.set(name, value);
    }
  }

  /**
   * Looks a feature up.
   * @param name - the feature's name (any case).
   * @param fallback - what to return when it is not supported.
   * @returns its parsed value, or `fallback`.
   */
  getFeature(name: string, fallback?: unknown): unknown {
    const key = name.toUpperCase();
    return this.features.has(key) ? this.features.get(key) : fallback;
  }

  /**
   * @param name - the feature's name (any case).
   * @returns whether the server supports it.
   */
  hasFeature(name: string): boolean {
    return this.features.has(name.toUpperCase());
  }

  /** The PREFIX feature: mode letter → symbol and rank. */
  get prefix(): ReadonlyMap<string, PrefixEntry> {
    return this.getFeature("PREFIX", new Map()) as Map<string, PrefixEntry>;
  }

  /** The CHANTYPES feature: the characters that start a channel name. */
  get chanTypes(): string {
    return this.getFeature("CHANTYPES", "#&") as string;
  }

  /** The case mapping for comparing nicks and channels; `rfc1459` for an unknown one. */
  get caseMapping(): IRCCaseMapping {
    const value = this.getFeature("CASEMAPPING");
    return typeof value === "string" && CASEMAPPINGS.has(value)
      ? (value as IRCCaseMapping)
      : "rfc1459";
  }

  /** The NICKLEN feature: the longest nick the server allows. */
  get nickLen(): number {
    return this.getFeature("NICKLEN", 9) as number;
  }
}
