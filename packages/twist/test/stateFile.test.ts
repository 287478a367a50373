import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  Application,
  collectState,
  MultiService,
  restoreState,
  Service,
  type StateValue,
} from "@twisted-ts/core";
import { describe, expect, it } from "vitest";
import { StateFileError } from "../src/errors.js";
import { readStateFile, writeStateFile } from "../src/stateFile.js";
import { tempDir } from "./helpers.js";

class Counter extends Service {
  count = 0;
  getState(): StateValue {
    return { count: this.count, names: ["a", "b"] };
  }
  setState(state: StateValue): void {
    this.count = (state as { count: number }).count;
  }
}

function tree(): { app: Application; counter: Counter } {
  const app = new Application("app");
  const group = new MultiService();
  group.setName("group");
  group.setServiceParent(app);
  const counter = new Counter();
  counter.setName("counter");
  counter.setServiceParent(group);
  return { app, counter };
}

describe("state file", () => {
  it("reads nothing on a first run", () => {
    expect(readStateFile(join(tempDir(), "state.json"))).toBeUndefined();
  });

  it("round-trips the services' state through collectState, the file and restoreState", () => {
    const path = join(tempDir(), "state.json");
    const first = tree();
    first.counter.count = 41;
    writeStateFile(path, collectState(first.app));
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({
      "group/counter": { count: 41, names: ["a", "b"] },
    });
    const second = tree();
    const saved = readStateFile(path);
    if (saved === undefined) throw new Error("nothing saved");
    restoreState(second.app, saved);
    expect(second.counter.count).toBe(41);
  });

  it("replaces the file atomically and leaves no temporary file behind", () => {
    const dir = tempDir();
    const path = join(dir, "state.json");
    writeStateFile(path, { a: 1 });
    writeStateFile(path, { a: 2 });
    expect(readStateFile(path)).toEqual({ a: 2 });
    expect(readdirSync(dir)).toEqual(["state.json"]);
  });

  it("reports a file that cannot be written, and cleans up", () => {
    const dir = tempDir();
    expect(() => writeStateFile(join(dir, "missing", "state.json"), {})).toThrow(StateFileError);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each([
    ["{ not json", /is not JSON/],
    ["[1, 2]", /does not hold a JSON object/],
    ["null", /does not hold a JSON object/],
  ])("rejects a state file holding %j", (content, message) => {
    const path = join(tempDir(), "state.json");
    writeFileSync(path, content);
    expect(() => readStateFile(path)).toThrow(StateFileError);
    expect(() => readStateFile(path)).toThrow(message);
  });

  it("reports a state file it cannot read", () => {
    expect(() => readStateFile(tempDir())).toThrow(/cannot read state file/);
  });
});
