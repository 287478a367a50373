// @twisted-ts/twist: its bin runs from the tarball and knows its version.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const pkg = require("@twisted-ts/twist/package.json");
const bin = join(dirname(require.resolve("@twisted-ts/twist/package.json")), pkg.bin.twist);
const out = execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8" });
if (!out.includes(pkg.version)) throw new Error(`twist --version said ${out}`);
console.log("twist esm ok");
