/**
 * `DelayedCallQueue`: the time-ordered queue of pending delayed calls that `Clock` (and the
 * reactor) keep.
 * @packageDocumentation
 */

import type { DelayedCall } from "./delayedCall.js";

interface Entry {
  readonly call: DelayedCall;
  time: number;
  seq: number;
  index: number;
}

function before(a: Entry, b: Entry): boolean {
  return a.time < b.time || (a.time === b.time && a.seq < b.seq);
}

/**
 * A priority queue of {@link DelayedCall}s, earliest first, ties in the order the calls were
 * queued (or last moved). An indexed binary heap: adding, moving, removing and taking the first
 * call each cost O(log n), so a scheduler with 100,000 pending calls stays fast.
 *
 * Each call's time is read when it is added and when {@link update} is called; a scheduler calls
 * `update` from its `DelayedCallOwner.rescheduled` hook.
 */
export class DelayedCallQueue {
  private readonly heap: Entry[] = [];
  private readonly entries = new Map<DelayedCall, Entry>();
  private nextSeq = 0;

  /** How many calls are queued. */
  get size(): number {
    return this.heap.length;
  }

  /**
   * Whether a call is queued.
   * @param call - the call.
   */
  has(call: DelayedCall): boolean {
    return this.entries.has(call);
  }

  /**
   * Queue a call at its current `getTime()`, behind every call already queued for that time.
   * @param call - a call that is not queued yet.
   */
  push(call: DelayedCall): void {
    const entry: Entry = {
      call,
      time: call.getTime(),
      seq: this.nextSeq++,
      index: this.heap.length,
    };
    this.entries.set(call, entry);
    this.heap.push(entry);
    this.siftUp(entry.index);
  }

  /**
   * Re-read a queued call's time and move it there, behind every call already queued for that
   * time. Does nothing for a call that is not queued.
   * @param call - the call whose time changed.
   */
  update(call: DelayedCall): void {
    const entry = this.entries.get(call);
    if (entry === undefined) return;
    entry.time = call.getTime();
    entry.seq = this.nextSeq++;
    this.siftDown(this.siftUp(entry.index));
  }

  /**
   * Take a call out of the queue.
   * @param call - the call.
   * @returns whether it was queued.
   */
  remove(call: DelayedCall): boolean {
    const entry = this.entries.get(call);
    if (entry === undefined) return false;
    this.entries.delete(call);
    const last = this.heap.pop() as Entry;
    if (last !== entry) {
      this.heap[entry.index] = last;
      last.index = entry.index;
      this.siftDown(this.siftUp(last.index));
    }
    return true;
  }

  /**
   * The earliest call, left in the queue.
   * @returns the call, or undefined when the queue is empty.
   */
  peek(): DelayedCall | undefined {
    return this.heap[0]?.call;
  }

  /**
   * The time the earliest call was queued for.
   * @returns the time in seconds, or undefined when the queue is empty.
   */
  peekTime(): number | undefined {
    return this.heap[0]?.time;
  }

  /**
   * Take the earliest call out of the queue.
   * @returns the call, or undefined when the queue is empty.
   */
  pop(): DelayedCall | undefined {
    const first = this.heap[0];
    if (first === undefined) return undefined;
    this.remove(first.call);
    return first.call;
  }

  /**
   * Every queued call, in the order they will run.
   * @returns a new array.
   */
  toArray(): DelayedCall[] {
    return [...this.heap].sort((a, b) => (before(a, b) ? -1 : 1)).map((e) => e.call);
  }

  private siftUp(index: number): number {
    const heap = this.heap;
    const entry = heap[index] as Entry;
    let i = index;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex] as Entry;
      if (!before(entry, parent)) break;
      heap[i] = parent;
      parent.index = i;
      i = parentIndex;
    }
    heap[i] = entry;
    entry.index = i;
    return i;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const length = heap.length;
    const entry = heap[index] as Entry;
    let i = index;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= length) break;
      const right = left + 1;
      let child = heap[left] as Entry;
      let childIndex = left;
      if (right < length && before(heap[right] as Entry, child)) {
        child = heap[right] as Entry;
        childIndex = right;
      }
      if (!before(child, entry)) break;
      heap[i] = child;
      child.index = i;
      i = childIndex;
    }
    heap[i] = entry;
    entry.index = i;
  }
}
