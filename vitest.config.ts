import { defineConfig } from "vitest/config";

/**
 * One root `vitest run` with three projects, one per test layer:
 * - unit: deterministic tests over `@twisted-ts/core/testing` (no sockets, no real time);
 * - loopback: real sockets on 127.0.0.1;
 * - interop: against independently written peers, which the tests install and start.
 * Packages resolve to their TypeScript sources through the `@twisted-ts/source` condition.
 */
const conditions = ["@twisted-ts/source", "import", "module", "node", "default"];
const setupFiles = ["tooling/testing/src/setup.ts"];
const shared = {
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@twisted-ts/source"] } },
};

export default defineConfig({
  test: {
    // The JSON report feeds the plain "N passed, N failed" line that .ci/run prints last.
    reporters: ["default", ["json", { outputFile: ".vitest/report.json" }]],
    projects: [
      {
        ...shared,
        test: {
          name: "unit",
          setupFiles,
          // --expose-gc lets the "Unhandled error in Deferred" tests force a collection.
          execArgv: ["--expose-gc"],
          include: [
            "packages/*/test/**/*.test.ts",
            "apps/*/test/**/*.test.ts",
            "tooling/*/test/**/*.test.ts",
          ],
          exclude: ["**/*.loopback.test.ts", "**/*.interop.test.ts", "**/node_modules/**"],
        },
      },
      {
        ...shared,
        test: {
          name: "loopback",
          setupFiles,
          include: ["packages/*/test/**/*.loopback.test.ts", "apps/*/test/**/*.loopback.test.ts"],
          passWithNoTests: true,
          testTimeout: 30_000,
        },
      },
      {
        ...shared,
        test: {
          name: "interop",
          setupFiles,
          include: ["packages/*/test/**/*.interop.test.ts", "apps/*/test/**/*.interop.test.ts"],
          passWithNoTests: true,
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
