import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DelayedCall, type DelayedCallOwner } from "../../src/task/delayedCall.js";
import { DelayedCallQueue } from "../../src/task/delayedCallQueue.js";

/** An owner that does nothing, so the test drives the queue by hand. */
const idle: DelayedCallOwner = {
  cancelled: () => undefined,
  rescheduled: () => undefined,
  seconds: () => 0,
};

const at = (time: number) => new DelayedCall(time, () => undefined, [], idle);

describe("DelayedCallQueue", () => {
  it("is empty at first", () => {
    const queue = new DelayedCallQueue();
    expect(queue.size).toBe(0);
    expect(queue.peek()).toBeUndefined();
    expect(queue.peekTime()).toBeUndefined();
    expect(queue.pop()).toBeUndefined();
    expect(queue.toArray()).toEqual([]);
  });

  it("pops calls earliest first, ties in the order they were pushed", () => {
    const queue = new DelayedCallQueue();
    const calls = [at(3), at(1), at(2), at(1)];
    for (const call of calls) queue.push(call);
    expect(queue.size).toBe(4);
    expect(queue.peekTime()).toBe(1);
    const popped = [queue.pop(), queue.pop(), queue.pop(), queue.pop()];
    expect(popped).toEqual([calls[1], calls[3], calls[2], calls[0]]);
  });

  it("removes a call from the middle and ignores calls it does not hold", () => {
    const queue = new DelayedCallQueue();
    const calls = [1, 2, 3, 4, 5].map(at);
    for (const call of calls) queue.push(call);
    expect(queue.remove(calls[2] as DelayedCall)).toBe(true);
    expect(queue.remove(calls[2] as DelayedCall)).toBe(false);
    expect(queue.has(calls[2] as DelayedCall)).toBe(false);
    queue.update(calls[2] as DelayedCall);
    expect(queue.toArray()).toEqual([calls[0], calls[1], calls[3], calls[4]]);
  });

  it("keeps (time, last push or update) order under any mix of operations", () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant("push" as const), time: fc.integer({ min: 0, max: 8 }) }),
      fc.record({
        kind: fc.constant("move" as const),
        which: fc.nat(),
        by: fc.integer({ min: -4, max: 4 }),
      }),
      fc.record({ kind: fc.constant("remove" as const), which: fc.nat() }),
      fc.record({ kind: fc.constant("pop" as const) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const queue = new DelayedCallQueue();
        let model: { call: DelayedCall; seq: number }[] = [];
        let seq = 0;
        const sorted = () =>
          [...model].sort((a, b) => a.call.getTime() - b.call.getTime() || a.seq - b.seq);
        for (const o of ops) {
          if (o.kind === "push") {
            const call = at(o.time);
            queue.push(call);
            model.push({ call, seq: seq++ });
          } else if (o.kind === "pop") {
            const expected = sorted()[0];
            expect(queue.pop()).toBe(expected?.call);
            model = model.filter((m) => m !== expected);
          } else if (model.length > 0) {
            const entry = model[o.which % model.length] as { call: DelayedCall; seq: number };
            if (o.kind === "move") {
              entry.call.delay(o.by);
              queue.update(entry.call);
              entry.seq = seq++;
            } else {
              expect(queue.remove(entry.call)).toBe(true);
              model = model.filter((m) => m !== entry);
            }
          }
          expect(queue.size).toBe(model.length);
        }
        expect(queue.toArray()).toEqual(sorted().map((m) => m.call));
      }),
    );
  });
});
