import { describe, expect, it } from "vitest";
import { runTwist } from "./cli.js";

describe("twist --help", () => {
  it("lists the built-in and installed plugins with their descriptions", async () => {
    const { code, stdout } = await runTwist(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: twist \[options\] <plugin> \[plugin options\]/);
    expect(stdout).toMatch(/\n {2}portforward +A simple port-forwarder\n/);
    expect(stdout).toMatch(/\n {2}pidecho +Answers each connection with the serving process's id/);
    expect(stdout).toMatch(/\n {2}listed +A plugin with its options given as a list\n/);
    expect(stdout).toMatch(/\n {2}broken +\(cannot be loaded: .*not in the package's exports\)/);
    // Declared in packages/qotd/package.json, found through the workspace.
    expect(stdout).toMatch(/\n {2}qotd /);
    for (const option of [
      "--app",
      "--logfile",
      "--log-level",
      "--log-format",
      "--pidfile",
      "--daemon",
      "--uid",
      "--gid",
      "--umask",
      "--state-file",
      "--workers",
    ]) {
      expect(stdout).toContain(option);
    }
  });

  it("shows a plugin's own help", async () => {
    const { code, stdout } = await runTwist(["pidecho", "--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: twist [options] pidecho [pidecho options]");
    expect(stdout).toMatch(
      /--listen DESCRIPTION +Where to listen \(default: tcp:0:interface=127\.0\.0\.1\)/,
    );
    expect(stdout).toMatch(/-g, --greeting VALUE/);
  });

  it("exits 64 with a usage message for an unknown plugin or option", async () => {
    const unknown = await runTwist(["nosuch"]);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toMatch(/no plugin named "nosuch"; installed: .*pidecho.*portforward/);
    const badOption = await runTwist(["pidecho", "--nope"]);
    expect(badOption.code).toBe(64);
    expect(badOption.stderr).toMatch(/Unknown option '--nope'[\s\S]*Try `twist pidecho --help`/);
  });
});
