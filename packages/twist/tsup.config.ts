import { defineConfig } from "tsup";

export default defineConfig({
  // The library (the plugin contract, discovery, pidfile and state-file helpers, portforward)
  // and the command, `bin.twist` → dist/cli.js (its shebang is kept). `shims` gives the CommonJS
  // copy of the command an `import.meta.url`; only the ESM one is the bin.
  entry: ["src/index.ts", "src/cli.ts"],
  format: ["esm", "cjs"],
  dts: true,
  shims: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  tsconfig: "tsconfig.build.json",
  external: [/^@twisted-ts\//, "tsx"],
});
