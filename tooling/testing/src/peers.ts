import { execFileSync, spawnSync } from "node:child_process";

/** Debian's Python: Debian's packages (python3-twisted, …) import only under this one. */
export const DEBIAN_PYTHON = "/usr/bin/python3";

function installed(pkg: string): boolean {
  // dpkg-query expands ${Status} itself: it is not a template literal.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: see above.
  const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout.includes("install ok installed");
}

let updated = false;

/**
 * Make sure Debian packages are installed, installing what is missing with apt-get (the tests
 * own their peers: CI starts from a machine without them). Throws when they cannot be had: a
 * missing peer is a failure, never a silent skip.
 * @param packages - Debian package names.
 */
export function ensureDebianPackages(packages: readonly string[]): void {
  const missing = packages.filter((p) => !installed(p));
  if (missing.length === 0) return;
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  try {
    if (!updated) {
      execFileSync("apt-get", ["update", "-qq"], { stdio: "pipe", env, timeout: 300_000 });
      updated = true;
    }
    execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
      stdio: "pipe",
      env,
      timeout: 600_000,
    });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`could not install the test peer packages ${missing.join(", ")}: ${detail}`);
  }
  const still = missing.filter((p) => !installed(p));
  if (still.length > 0) throw new Error(`apt-get did not install ${still.join(", ")}`);
}
