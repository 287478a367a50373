// Bundles the benchmarks (and the twisted-ts sources they import) into one plain ESM file that
// `node` runs directly. tsx would also run them, but it compiles with esbuild's keepNames, which
// wraps every closure made at run time in a naming call: a cost our code would not have in a
// user's build, and one that falls on the side that creates closures (ours) more than on the
// baseline. Bundling without keepNames measures the code as users run it.
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  conditions: ["@twisted-ts/source"],
  sourcemap: true,
  logLevel: "warning",
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
};

await build({ ...common, entryPoints: ["src/run.ts"], outfile: "dist/run.mjs" });
// The HTTP servers of P4/P5 run in their own processes, pinned to a core.
await build({ ...common, entryPoints: ["src/httpServers.ts"], outfile: "dist/http-server.mjs" });
