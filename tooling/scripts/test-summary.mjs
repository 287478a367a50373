// Prints the closing line of the last `vitest run` ("Tests: N passed, N failed"), read from the
// JSON report that vitest.config.ts writes, and exits non-zero when no test ran or any failed.
import { readFileSync } from "node:fs";

const report = JSON.parse(
  readFileSync(new URL("../../.vitest/report.json", import.meta.url), "utf8"),
);
const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + (report.numFailedTestSuites ?? 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`Tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(passed > 0 && failed === 0 ? 0 : 1);
