import type { LogEvent } from "../../src/logger/index.js";

/** A stream that keeps what is written to it. */
export class FakeStream {
  text = "";
  writes = 0;
  flushes = 0;

  write(chunk: string): boolean {
    this.text += chunk;
    this.writes++;
    return true;
  }

  flush(): void {
    this.flushes++;
  }
}

/** An observer that keeps the events it sees. */
export function collector(): { events: LogEvent[]; observer: (event: LogEvent) => void } {
  const events: LogEvent[] = [];
  return { events, observer: (event) => void events.push(event) };
}

/** 2026-11-23T10:00:00Z, in seconds. */
export const NOV_23_10AM = 1795428000;

/** Keep only the keys `expected` mentions, to compare events by the fields that matter. */
export function pick(
  events: readonly LogEvent[],
  keys: readonly string[],
): Record<string, unknown>[] {
  return events.map((event) =>
    Object.fromEntries(keys.filter((k) => k in event).map((k) => [k, event[k]])),
  );
}
