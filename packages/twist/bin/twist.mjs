#!/usr/bin/env node
// The `twist` command, runnable without a build inside the monorepo.
//
// - When `dist/cli.js` exists (after `pnpm build`), it runs that, in this process.
// - Otherwise (or when TWIST_FROM_SOURCE=1), it runs `src/cli.ts` from source in a child
//   process: `node --import tsx --conditions=@twisted-ts/source src/cli.ts ...`, so every
//   @twisted-ts package resolves to its TypeScript sources. Signals are passed on to the child
//   and its exit status is this process's.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const dist = new URL("../dist/cli.js", import.meta.url);
const source = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const fromSource = process.env.TWIST_FROM_SOURCE === "1" || !existsSync(dist);
const flags = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ");
const underSource = flags.includes("@twisted-ts/source") && /\btsx\b/.test(flags);

if (!fromSource) {
  await import(dist.href);
} else if (underSource) {
  // Already running with tsx and the source condition: no second process needed.
  await import(pathToFileURL(source).href);
} else {
  let tsx;
  try {
    tsx = import.meta.resolve("tsx");
  } catch {
    process.stderr.write(
      "twist: not built (no dist/cli.js) and tsx is not installed to run it from source\n",
    );
    process.exit(1);
  }
  const child = spawn(
    process.execPath,
    [
      ...process.execArgv,
      "--import",
      tsx,
      "--conditions=@twisted-ts/source",
      source,
      ...process.argv.slice(2),
    ],
    {
      stdio: ["inherit", "inherit", "inherit", "ipc"],
      env: { ...process.env, TWIST_WRAPPED: "1" },
    },
  );
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on("exit", (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else {
      process.exit(code ?? 1);
    }
  });
}
