/**
 * Every code sample of the documentation is checked: each ```ts block of the root README, of the
 * packages' and apps' READMEs and of docs/ is type-checked with tsc in its owner's setting, and
 * each block marked runnable ("```ts run") is run with tsx and must exit 0 on its own.
 * The work is done by tooling/scripts/doc-samples.mjs; this test reports each block.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface Block {
  md: string;
  index: number;
  line: number;
  lang: "ts" | "js";
  flags: Set<string>;
  code: string;
  owner: string;
}
interface Sample {
  block: Block;
  file: string;
  chain: Block[];
  errors: string[];
}
interface RunResult {
  code: number | null;
  signal: string | null;
  output: string;
  timedOut: boolean;
}
interface Workspace {
  cleanup(): void;
}
interface Lib {
  allBlocks(): Block[];
  label(block: Block): string;
  describeErrors(sample: Sample): string;
  checkBlocks(ws: Workspace, blocks: Block[]): Promise<Sample[]>;
  runSample(sample: Sample, timeoutMs?: number): Promise<RunResult>;
  SampleWorkspace: new () => Workspace;
}
// A plain ESM script without declarations, typed here by what this test uses.
const lib = (await import(new URL("../doc-samples.mjs", import.meta.url).href)) as Lib;

const RUN_TIMEOUT_MS = 60_000;
const blocks = lib.allBlocks();
const runnable = blocks.filter((b) => b.flags.has("run"));
const ws = new lib.SampleWorkspace();
let samples = new Map<Block, Sample>();
let checkFailure: unknown;

beforeAll(async () => {
  try {
    samples = new Map((await lib.checkBlocks(ws, blocks)).map((s) => [s.block, s]));
  } catch (error) {
    checkFailure = error;
  }
}, 600_000);

afterAll(() => {
  ws.cleanup();
});

describe("documentation samples", () => {
  it("finds the samples of the READMEs and of docs/", () => {
    expect(checkFailure).toBeUndefined();
    expect(blocks.some((b) => b.md === "README.md")).toBe(true);
    expect(blocks.some((b) => b.md.startsWith("docs/"))).toBe(true);
    expect(runnable.length).toBeGreaterThan(0);
  });

  describe("type-check", () => {
    it.each(blocks.map((b) => [lib.label(b), b] as const))("%s type-checks", (_label, block) => {
      expect(checkFailure).toBeUndefined();
      const sample = samples.get(block);
      expect(sample, `${lib.label(block)} was not checked`).toBeDefined();
      if (sample && sample.errors.length > 0) expect.fail(lib.describeErrors(sample));
    });
  });

  describe.concurrent("run", () => {
    it.each(runnable.map((b) => [lib.label(b), b] as const))(
      "%s runs to exit status 0",
      async (_label, block) => {
        expect(checkFailure).toBeUndefined();
        const sample = samples.get(block);
        if (sample === undefined) return expect.fail(`${lib.label(block)} was not written`);
        const result = await lib.runSample(sample, RUN_TIMEOUT_MS);
        const why = result.timedOut
          ? `timed out after ${RUN_TIMEOUT_MS} ms`
          : `exited ${result.code ?? result.signal}`;
        expect(result.code, `${lib.label(block)} ${why}:\n${result.output}`).toBe(0);
      },
      RUN_TIMEOUT_MS + 10_000,
    );
  });
});
