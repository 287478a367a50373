/**
 * mIRC formatting codes: parse, strip and assemble (Twisted's `irc.parseFormattedText`,
 * `stripFormatting` and `assembleFormattedText`).
 * @packageDocumentation
 */

/**
 * A colour: a number 0–99 for an mIRC colour code (`\x03`; 99 is the client's default), or six
 * hex digits `"RRGGBB"` for a hex colour code (`\x04`).
 */
export type IRCColour = number | string;

/** The attributes of a run of text. A missing flag is off; a missing colour is the default. */
export interface TextAttributes {
  /** Bold, toggled by `\x02`. */
  bold?: boolean;
  /** Italic, toggled by `\x1d`. */
  italic?: boolean;
  /** Underline, toggled by `\x1f`. */
  underline?: boolean;
  /** Strikethrough, toggled by `\x1e`. */
  strikethrough?: boolean;
  /** Monospace, toggled by `\x11`. */
  monospace?: boolean;
  /** Reverse video, toggled by `\x16`. */
  reverse?: boolean;
  /** The foreground colour. */
  fg?: IRCColour;
  /** The background colour. */
  bg?: IRCColour;
}

/** A run of text with the attributes it is shown in. */
export interface FormattedSpan extends TextAttributes {
  /** The text, with no formatting codes. */
  text: string;
}

/** The control characters of mIRC formatting, by what they do. */
export const FORMATTING_CODES = {
  /** Toggles bold. */
  bold: "\x02",
  /** Toggles italic. */
  italic: "\x1d",
  /** Toggles underline. */
  underline: "\x1f",
  /** Toggles strikethrough. */
  strikethrough: "\x1e",
  /** Toggles monospace. */
  monospace: "\x11",
  /** An mIRC colour: `fg[,bg]` of one or two digits each; alone, resets the colours. */
  colour: "\x03",
  /** A hex colour: `RRGGBB[,RRGGBB]`; alone, resets the colours. */
  hexColour: "\x04",
  /** Toggles reverse video. */
  reverse: "\x16",
  /** Resets every attribute. */
  reset: "\x0f",
} as const;

type Flag = "bold" | "italic" | "underline" | "strikethrough" | "monospace" | "reverse";
const FLAGS: readonly Flag[] = [
  "bold",
  "italic",
  "underline",
  "strikethrough",
  "monospace",
  "reverse",
];
const FLAG_OF: Readonly<Record<string, Flag>> = {
  "\x02": "bold",
  "\x1d": "italic",
  "\x1f": "underline",
  "\x1e": "strikethrough",
  "\x11": "monospace",
  "\x16": "reverse",
};
const HEX6 = /^[0-9A-Fa-f]{6}/;
/** Text that would be read as a background right after a foreground-only colour code. */
const GUARDED = /^,[0-9A-Fa-f]/;

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

function sameAttributes(a: TextAttributes, b: TextAttributes): boolean {
  for (const f of FLAGS) if ((a[f] === true) !== (b[f] === true)) return false;
  return a.fg === b.fg && a.bg === b.bg;
}

function copyAttributes(state: TextAttributes): TextAttributes {
  const out: TextAttributes = {};
  for (const f of FLAGS) if (state[f] === true) out[f] = true;
  if (state.fg !== undefined) out.fg = state.fg;
  if (state.bg !== undefined) out.bg = state.bg;
  return out;
}

/** Reads up to two digits at `i`; returns the number and the index after them. */
function readNumber(text: string, i: number): [number | undefined, number] {
  if (!isDigit(text[i])) return [undefined, i];
  const n = isDigit(text[i + 1]) ? 2 : 1;
  return [Number(text.slice(i, i + n)), i + n];
}

/** Reads exactly six hex digits at `i`; returns them and the index after them. */
function readHex(text: string, i: number): [string | undefined, number] {
  const m = HEX6.exec(text.slice(i, i + 6));
  return m === null ? [undefined, i] : [m[0], i + 6];
}

/**
 * Parses text with mIRC formatting codes into spans of plain text with their attributes.
 * Flags toggle; `\x0f` resets everything; `\x03` takes a foreground of one or two digits and
 * an optional `,background` (a comma not followed by a digit is text), and alone resets both
 * colours; `\x04` does the same with six hex digits. A foreground alone keeps the background.
 * Adjacent runs with the same attributes are merged; empty runs are dropped.
 *
 * @param text - text as received, e.g. a PRIVMSG's last parameter.
 * @returns the spans, in order; their texts joined are {@link stripFormatting}'s result.
 *
 * Differences from Twisted: Twisted's `parseFormattedText` returns a tree of `attributes`
 * nodes (`A.bold[A.fg.red["x"]]`); this returns flat spans. Colours are kept as numbers
 * (including 16–99) or hex strings rather than names.
 */
export function parseFormatting(text: string): FormattedSpan[] {
  const spans: FormattedSpan[] = [];
  let state: TextAttributes = {};
  let buf = "";
  const flush = (): void => {
    if (buf === "") return;
    const last = spans[spans.length - 1];
    if (last !== undefined && sameAttributes(last, state)) last.text += buf;
    else spans.push({ ...copyAttributes(state), text: buf });
    buf = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const flag = FLAG_OF[c];
    if (flag !== undefined) {
      flush();
      state = { ...state, [flag]: state[flag] !== true };
    } else if (c === "\x0f") {
      flush();
      state = {};
    } else if (c === "\x03" || c === "\x04") {
      flush();
      const read = c === "\x03" ? readNumber : readHex;
      const [fg, afterFg] = read(text, i + 1);
      state = { ...state };
      if (fg === undefined) {
        delete state.fg;
        delete state.bg;
        continue;
      }
      state.fg = fg;
      let next = afterFg;
      if (text[afterFg] === ",") {
        const [bg, afterBg] = read(text, afterFg + 1);
        if (bg !== undefined) {
          state.bg = bg;
          next = afterBg;
        }
      }
      i = next - 1;
    } else {
      buf += c;
    }
  }
  flush();
  return spans;
}

/**
 * The text without any formatting codes (colours with their numbers, bold, italic, underline,
 * strikethrough, monospace, reverse, reset and hex colours). Twisted's `stripFormatting`.
 *
 * @param text - text as received.
 * @returns the plain text.
 */
export function stripFormatting(text: string): string {
  let out = "";
  for (const span of parseFormatting(text)) out += span.text;
  return out;
}

function checkColour(colour: IRCColour): void {
  if (typeof colour === "number") {
    if (!Number.isInteger(colour) || colour < 0 || colour > 99) {
      throw new RangeError(`an mIRC colour is an integer 0–99, not ${colour}`);
    }
  } else if (!/^[0-9A-Fa-f]{6}$/.test(colour)) {
    throw new RangeError(`a hex colour is six hex digits, not ${JSON.stringify(colour)}`);
  }
}

function colourCode(fg: IRCColour | undefined, bg: IRCColour | undefined): [string, boolean] {
  const f = fg ?? (typeof bg === "string" ? "FFFFFF" : 99);
  checkColour(f);
  const kindMatches = bg !== undefined && typeof bg === typeof f;
  if (bg !== undefined) checkColour(bg);
  const pad = (c: IRCColour): string => (typeof c === "number" ? String(c).padStart(2, "0") : c);
  const code = typeof f === "number" ? "\x03" : "\x04";
  return [
    kindMatches ? `${code}${pad(f)},${pad(bg as IRCColour)}` : `${code}${pad(f)}`,
    kindMatches,
  ];
}

/**
 * Assembles spans into text with mIRC formatting codes, the inverse of
 * {@link parseFormatting}: `parseFormatting(assembleFormattedText(spans))` gives back the
 * spans (merged and without empty ones). Codes are written only where attributes change; a
 * change that turns something off is written as a reset (`\x0f`) followed by what stays on.
 * Colour numbers are written with two digits, and a comma-digit at the start of a span's text
 * is guarded (`\x02\x02`) so it is not read as a background.
 *
 * Limits of the format: a background needs a foreground, so a background alone is written with
 * foreground 99 (`"FFFFFF"` for hex); a background of the other kind than its foreground (a
 * number with a hex string) cannot be written and is dropped. Span texts are written as they
 * are; formatting characters in them take effect.
 *
 * @param spans - the runs of text with their attributes.
 * @returns the formatted text.
 * @throws RangeError when a colour is not an integer 0–99 or six hex digits.
 *
 * Differences from Twisted: Twisted's `assembleFormattedText` takes a tree of `attributes`
 * nodes; this takes the flat spans {@link parseFormatting} returns.
 */
export function assembleFormattedText(spans: readonly FormattedSpan[]): string {
  let out = "";
  let cur: TextAttributes = {};
  for (const span of spans) {
    if (span.text === "") continue;
    const turnsOff =
      FLAGS.some((f) => cur[f] === true && span[f] !== true) ||
      (cur.fg !== undefined && span.fg === undefined) ||
      (cur.bg !== undefined && span.bg === undefined);
    if (turnsOff) {
      out += "\x0f";
      cur = {};
    }
    for (const f of FLAGS) {
      if (span[f] === true && cur[f] !== true) out += FORMATTING_CODES[f];
    }
    let guard = false;
    if (span.fg !== cur.fg || span.bg !== cur.bg) {
      const [code, wroteBg] = colourCode(span.fg, span.bg);
      out += code;
      guard = !wroteBg;
      cur = { ...cur, fg: span.fg ?? (typeof span.bg === "string" ? "FFFFFF" : 99) };
      if (wroteBg && span.bg !== undefined) cur.bg = span.bg;
    }
    if (guard && GUARDED.test(span.text)) out += "\x02\x02";
    out += span.text;
    for (const f of FLAGS) if (span[f] === true) cur[f] = true;
  }
  return out;
}
