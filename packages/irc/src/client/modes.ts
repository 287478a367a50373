/**
 * MODE strings: Twisted's `parseModes`.
 * @packageDocumentation
 */
import { IRCBadModes } from "../errors.js";

/** One mode change: the letter and its parameter (`null` when the mode takes none). */
export type ModeChange = readonly [mode: string, param: string | null];

/**
 * Parses a MODE string and its parameters into the modes added and the modes removed, as
 * Twisted's `parseModes` does.
 *
 * @param modes - the mode string, e.g. `"+ov-t"`; it must start with `+` or `-`.
 * @param params - the parameters that follow it, consumed in order by the modes that take one.
 * @param paramModes - the modes that take a parameter when added, and when removed.
 * @returns the added and the removed changes, in order.
 * @throws {@link IRCBadModes} for an empty string, a missing sign, a sign with no modes after
 *   it, too few parameters, or parameters left over.
 */
export function parseModes(
  modes: string,
  params: readonly string[],
  paramModes: readonly [add: string, remove: string] = ["", ""],
): [added: ModeChange[], removed: ModeChange[]] {
  if (modes.length === 0) throw new IRCBadModes("Empty mode string");
  if (modes[0] !== "+" && modes[0] !== "-") {
    throw new IRCBadModes(`Malformed modes string: ${JSON.stringify(modes)}`);
  }
  const changes: [ModeChange[], ModeChange[]] = [[], []];
  let direction = 0;
  let count = -1;
  let next = 0;
  for (const ch of modes) {
    if (ch === "+" || ch === "-") {
      if (count === 0) throw new IRCBadModes(`Empty mode sequence: ${JSON.stringify(modes)}`);
      direction = ch === "+" ? 0 : 1;
      count = 0;
      continue;
    }
    let param: string | null = null;
    if ((paramModes[direction] as string).includes(ch)) {
      if (next >= params.length) {
        throw new IRCBadModes(`Not enough parameters: ${JSON.stringify(ch)}`);
      }
      param = params[next++] as string;
    }
    (changes[direction] as ModeChange[]).push([ch, param]);
    count++;
  }
  if (next < params.length) {
    throw new IRCBadModes(
      `Too many parameters: ${JSON.stringify(modes)} ${JSON.stringify(params.slice(next))}`,
    );
  }
  if (count === 0) throw new IRCBadModes(`Empty mode sequence: ${JSON.stringify(modes)}`);
  return changes;
}
