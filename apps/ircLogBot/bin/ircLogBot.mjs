#!/usr/bin/env node
// The `ircLogBot` command, run from source (apps are never built): it starts
// `node --import tsx --conditions=@twisted-ts/source src/main.ts ...` so every @twisted-ts
// package resolves to its TypeScript sources. Signals are passed on to the child and its exit
// status is this process's.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const source = fileURLToPath(new URL("../src/main.ts", import.meta.url));
let tsx;
try {
  tsx = import.meta.resolve("tsx");
} catch {
  process.stderr.write("ircLogBot: tsx is not installed to run it from source\n");
  process.exit(1);
}
const child = spawn(
  process.execPath,
  ["--import", tsx, "--conditions=@twisted-ts/source", source, ...process.argv.slice(2)],
  { stdio: "inherit" },
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
