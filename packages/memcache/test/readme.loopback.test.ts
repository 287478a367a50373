/**
 * The README's example is a test: its first TypeScript block runs as it is (through tsx, from
 * the package's sources) and prints what its comments say.
 */
import { spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "..");

function firstTypeScriptBlock(markdown: string): string {
  const match = /```ts[^\n]*\n([\s\S]*?)```/.exec(markdown);
  if (match?.[1] === undefined) throw new Error("the README has no ```ts block");
  return match[1];
}

describe("the README", () => {
  it("runs its example, which prints what its comments say", async () => {
    const code = firstTypeScriptBlock(readFileSync(join(packageDir, "README.md"), "utf8"));
    // Inside the package, so that "@twisted-ts/memcache" resolves to the package itself.
    const file = join(here, `.readme-example-${process.pid}.mts`);
    writeFileSync(file, code);
    try {
      const tsx = join(packageDir, "node_modules", ".bin", "tsx");
      const {
        code: status,
        stdout,
        stderr,
      } = await new Promise<{
        code: number | null;
        stdout: string;
        stderr: string;
      }>((resolve) => {
        const child = spawn(tsx, ["--conditions=@twisted-ts/source", file], { cwd: packageDir });
        let out = "";
        let err = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          out += d;
        });
        child.stderr.setEncoding("utf8").on("data", (d: string) => {
          err += d;
        });
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        child.once("close", (exit) => {
          clearTimeout(timer);
          resolve({ code: exit, stdout: out, stderr: err });
        });
      });
      expect(stderr).toBe("");
      expect(status).toBe(0);
      const lines = stdout.trim().split("\n");
      expect(lines.slice(0, 4)).toEqual(["0 hello", "true", "false", "42"]);
      expect(lines.slice(4).join("\n")).toMatch(
        /greeting[\s\S]*<Buffer 62 6f 6e 6a 6f 75 72>[\s\S]*missing[\s\S]*null/,
      );
    } finally {
      rmSync(file, { force: true });
    }
  });
});
