#!/usr/bin/env node
/**
 * The `twist` executable: `twist [options] <plugin> [plugin options]` or
 * `twist [options] --app FILE`. See the package README.
 * @packageDocumentation
 */
import { main } from "./main.js";

// Started by bin/twist.mjs (from source): stop as on SIGTERM if that wrapper dies, so a killed
// wrapper leaves no server behind. Children (a daemon, workers) do not inherit the marker.
if (process.env.TWIST_WRAPPED === "1" && process.channel !== undefined) {
  delete process.env.TWIST_WRAPPED;
  process.channel.unref();
  process.once("disconnect", () => process.kill(process.pid, "SIGTERM"));
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `twist: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
