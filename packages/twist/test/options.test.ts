import { describe, expect, it } from "vitest";
import { UsageError } from "../src/errors.js";
import { pluginHelp, twistHelp } from "../src/help.js";
import { parsePluginArgs, parseTwistArgs, parseUmask, TWIST_OPTIONS } from "../src/options.js";
import { portforwardPlugin } from "../src/portforward/plugin.js";
import { type AnyServiceMaker, normalizeServiceMaker } from "../src/serviceMaker.js";

const portforward: AnyServiceMaker = portforwardPlugin;

describe("parseTwistArgs", () => {
  it("splits the runner's options from the plugin and its arguments", () => {
    const parsed = parseTwistArgs([
      "--logfile",
      "out.log",
      "--pidfile=twist.pid",
      "-n",
      "portforward",
      "--port",
      "8080",
      "--logfile",
      "is-the-plugins",
    ]);
    expect(parsed.plugin).toBe("portforward");
    expect(parsed.pluginArgs).toEqual(["--port", "8080", "--logfile", "is-the-plugins"]);
    expect(parsed.options.logfile).toBe("out.log");
    expect(parsed.options.pidfile).toBe("twist.pid");
    expect(parsed.options.daemon).toBe(false);
  });

  it("takes a value that looks like a plugin name as the option's value", () => {
    const parsed = parseTwistArgs(["--log-level", "debug", "-l", "-", "qotd"]);
    expect(parsed.options.logLevel).toBe("debug");
    expect(parsed.options.logfile).toBe("-");
    expect(parsed.plugin).toBe("qotd");
  });

  it("has defaults: info, text, foreground, no pidfile", () => {
    const { options } = parseTwistArgs(["qotd"]);
    expect(options).toMatchObject({
      logLevel: "info",
      logFormat: "text",
      daemon: false,
      pidfile: undefined,
      logfile: undefined,
      umask: undefined,
      workers: undefined,
      stateFile: undefined,
    });
  });

  it("accepts --log-file as --logfile, and -y as --app", () => {
    const parsed = parseTwistArgs(["--log-file", "a.log", "-y", "app.ts"]);
    expect(parsed.options.logfile).toBe("a.log");
    expect(parsed.options.app).toBe("app.ts");
    expect(parsed.plugin).toBeUndefined();
  });

  it("treats an empty --pidfile as none, as twistd does", () => {
    expect(parseTwistArgs(["--pidfile", "", "qotd"]).options.pidfile).toBeUndefined();
  });

  it("stops at -- and takes what follows as the plugin", () => {
    const parsed = parseTwistArgs(["--daemon", "--", "qotd", "--quote", "x"]);
    expect(parsed.options.daemon).toBe(true);
    expect(parsed.plugin).toBe("qotd");
    expect(parsed.pluginArgs).toEqual(["--quote", "x"]);
  });

  it("parses --umask as octal, --workers as a count, and --state-file", () => {
    const { options } = parseTwistArgs(["--umask", "027", "--workers", "3", "qotd"]);
    expect(options.umask).toBe(0o27);
    expect(options.workers).toBe(3);
    expect(parseTwistArgs(["--state-file", "s.json", "qotd"]).options.stateFile).toBe("s.json");
  });

  it("accepts --reactor for compatibility and ignores it", () => {
    expect(parseTwistArgs(["--reactor", "epoll", "qotd"]).plugin).toBe("qotd");
  });

  it.each([
    [["--bogus", "qotd"], /bogus/],
    [
      ["--log-level", "loud", "qotd"],
      /--log-level must be one of debug, info, warn, error, critical/,
    ],
    [["--log-format", "xml", "qotd"], /--log-format must be one of text, json/],
    [["--umask", "999", "qotd"], /--umask must be an octal number/],
    [["--workers", "0", "qotd"], /--workers must be a whole number of at least 1/],
    [["--workers", "two", "qotd"], /--workers/],
    [["--app", "a.ts", "qotd"], /not both/],
    [["--daemon", "--nodaemon", "qotd"], /do not go together/],
    [
      ["--workers", "2", "--state-file", "s.json", "qotd"],
      /--state-file does not go with --workers/,
    ],
    [[], /give a plugin to run, or --app FILE/],
    [["--logfile"], /--logfile/],
  ])("rejects %j", (args, message) => {
    expect(() => parseTwistArgs(args)).toThrow(UsageError);
    expect(() => parseTwistArgs(args)).toThrow(message);
  });

  it("accepts --help and --version without a plugin", () => {
    expect(parseTwistArgs(["--help"]).options.help).toBe(true);
    expect(parseTwistArgs(["-h"]).options.help).toBe(true);
    expect(parseTwistArgs(["--version"]).options.version).toBe(true);
  });
});

describe("parseUmask", () => {
  it.each([
    ["022", 0o22],
    ["0o077", 0o77],
    ["7", 7],
    ["0755", 0o755],
  ])("reads %s", (text, mask) => {
    expect(parseUmask(text)).toBe(mask);
  });

  it.each(["", "8", "abc", "07777 ", "12345", "-1"])("rejects %j", (text) => {
    expect(() => parseUmask(text)).toThrow(UsageError);
  });
});

describe("parsePluginArgs", () => {
  it("parses a plugin's options with their defaults", () => {
    const { values, help } = parsePluginArgs(portforward, ["-p", "tcp:1234", "--dest_host=x"]);
    expect(help).toBe(false);
    expect(values).toEqual({ port: "tcp:1234", dest_host: "x", dest_port: "6665" });
  });

  it("adds --help and -h", () => {
    expect(parsePluginArgs(portforward, ["--help"]).help).toBe(true);
    expect(parsePluginArgs(portforward, ["-h"]).help).toBe(true);
  });

  it("rejects unknown options and positional arguments", () => {
    expect(() => parsePluginArgs(portforward, ["--nope"])).toThrow(UsageError);
    expect(() => parsePluginArgs(portforward, ["extra"])).toThrow(UsageError);
    expect(() => parsePluginArgs(portforward, ["--port"])).toThrow(/--port/);
  });

  it("collects a repeatable option into an array, replacing its default", () => {
    const maker = normalizeServiceMaker({
      name: "multi",
      description: "",
      options: [{ name: "listen", type: "string", multiple: true, default: "tcp:1" }],
      makeService: () => {
        throw new Error("unused");
      },
    } as unknown as AnyServiceMaker);
    expect(parsePluginArgs(maker, []).values.listen).toEqual(["tcp:1"]);
    expect(parsePluginArgs(maker, ["--listen", "a", "--listen", "b"]).values.listen).toEqual([
      "a",
      "b",
    ]);
  });
});

describe("help", () => {
  it("lists every runner option and every plugin with its description, sorted", () => {
    const text = twistHelp([
      { name: "zeta", description: "The last one" },
      { name: "alpha", description: "The first one" },
    ]);
    for (const name of Object.keys(TWIST_OPTIONS)) expect(text).toContain(`--${name}`);
    expect(text).toMatch(/alpha\s+The first one\n\s+zeta\s+The last one/);
    expect(text).toMatch(/^Usage: twist \[options\] <plugin> \[plugin options\]/);
  });

  it("shows a plugin's options with values, shorts, defaults and its usage text", () => {
    const text = pluginHelp(portforward);
    expect(text).toContain("Usage: twist [options] portforward [portforward options]");
    expect(text).toContain("A simple port-forwarder");
    expect(text).toMatch(/-p, --port PORT\s+Where to listen.*\(default: 6666\)/);
    expect(text).toMatch(/-d, --dest_port PORT\s+The port to forward to \(default: 6665\)/);
    expect(text).toMatch(/-h, --help\s+Show this help and exit/);
    expect(text).toContain("Forwards every connection");
  });
});
