import { describe, expect, it } from "vitest";
import { LimitedHistoryLogObserver } from "../../src/logger/index.js";
import { collector } from "./helpers.js";

function replayed(history: LimitedHistoryLogObserver): unknown[] {
  const { events, observer } = collector();
  history.replayTo(observer);
  return events.map((e) => e.n);
}

describe("LimitedHistoryLogObserver", () => {
  it("replays only the most recent events, oldest first", () => {
    const history = new LimitedHistoryLogObserver(5);
    for (let n = 0; n < 10; n++) history({ n });
    expect(replayed(history)).toEqual([5, 6, 7, 8, 9]);
  });

  it("replays everything, in order, while under its limit", () => {
    const history = new LimitedHistoryLogObserver(5);
    for (let n = 0; n < 3; n++) history({ n });
    expect(history.count).toBe(3);
    expect(replayed(history)).toEqual([0, 1, 2]);
  });

  it("keeps its events after a replay, so it can replay again", () => {
    const history = new LimitedHistoryLogObserver(2);
    for (let n = 0; n < 3; n++) history({ n });
    expect(replayed(history)).toEqual([1, 2]);
    history({ n: 3 });
    expect(replayed(history)).toEqual([2, 3]);
  });

  it("holds 64 Ki events by default", () => {
    const history = new LimitedHistoryLogObserver();
    expect(history.size).toBe(65536);
    for (let n = 0; n <= 65536; n++) history({ n });
    const seen = replayed(history);
    expect(seen).toHaveLength(65536);
    expect(seen[0]).toBe(1);
    expect(seen[65535]).toBe(65536);
  });

  it("holds any number of events when its size is null", () => {
    const history = new LimitedHistoryLogObserver(null);
    for (let n = 0; n < 70000; n++) history({ n });
    expect(history.count).toBe(70000);
  });

  it("keeps nothing with a size of zero, and empties on clear", () => {
    const none = new LimitedHistoryLogObserver(0);
    none({ n: 1 });
    expect(replayed(none)).toEqual([]);
    const some = new LimitedHistoryLogObserver(3);
    some({ n: 1 });
    some.clear();
    expect(replayed(some)).toEqual([]);
  });

  it("refuses a negative or fractional size", () => {
    expect(() => new LimitedHistoryLogObserver(-1)).toThrow(RangeError);
    expect(() => new LimitedHistoryLogObserver(1.5)).toThrow(RangeError);
  });
});
