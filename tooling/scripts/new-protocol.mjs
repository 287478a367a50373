#!/usr/bin/env node
// Scaffolds a new protocol package: `pnpm new:protocol <name> [--no-install]`.
//
// packages/<name> gets the layout every protocol package in this repository has (see
// packages/qotd): package.json with the exports map (the "@twisted-ts/source" condition first)
// and a "twist" plugin entry, tsconfig.json / tsconfig.build.json, tsup.config.ts, typedoc.json,
// src/ (index, errors, a pure line parser with named limits, a server and a client over
// LineReceiver with their factories, a `twist` plugin), test/ (parser properties with fast-check,
// unit tests over @twisted-ts/core/testing, a loopback test on 127.0.0.1), a README skeleton,
// and .changeset/<name>-first.md. Then `pnpm install` links it into the workspace (skip it with
// --no-install). A fresh scaffold builds, lints, type-checks, passes docs:check and its tests
// without edits (tooling/scripts/test/newProtocol.test.ts proves it).
//
// Plain Node ESM, no dependencies.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const USAGE = "usage: pnpm new:protocol <name> [--no-install]";
const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Exit with a message on stderr. */
function die(message) {
  process.stderr.write(`new:protocol: ${message}\n${USAGE}\n`);
  process.exit(1);
}

/** Parse the command line: one name, and flags. */
function parseArguments(argv) {
  let install = true;
  const names = [];
  for (const arg of argv) {
    if (arg === "--no-install") install = false;
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (arg === "--") continue;
    else if (arg.startsWith("-")) die(`unknown option ${arg}`);
    else names.push(arg);
  }
  if (names.length !== 1) die("give exactly one package name");
  return { name: names[0], install };
}

/** The spellings of a package name: "foo-bar" → FooBar, fooBar, FOO_BAR. */
function spellings(name) {
  const words = name.split("-");
  const cap = (w) => w.charAt(0).toUpperCase() + w.slice(1);
  return {
    name,
    Pascal: words.map(cap).join(""),
    camel: words[0] + words.slice(1).map(cap).join(""),
    CONST: words.map((w) => w.toUpperCase()).join("_"),
  };
}

/** The files of a new package, by path relative to the repository root. */
function templates({ name, Pascal, camel, CONST }) {
  const dir = `packages/${name}`;
  return {
    [`${dir}/package.json`]: `{
  "name": "@twisted-ts/${name}",
  "version": "0.1.0",
  "description": "The ${name} protocol for Node.js on twisted-ts: a line parser, a server and a client over LineReceiver, and a \`twist ${name}\` plugin.",
  "license": "MIT",
  "type": "module",
  "engines": {
    "node": ">=20.19"
  },
  "keywords": [
    "twisted",
    "${name}",
    "protocol"
  ],
  "files": [
    "dist",
    "src",
    "README.md",
    "CHANGELOG.md"
  ],
  "main": "./dist/index.cjs",
  "module": "./dist/index.js",
  "types": "./dist/index.d.cts",
  "exports": {
    ".": {
      "@twisted-ts/source": "./src/index.ts",
      "import": {
        "types": "./dist/index.d.ts",
        "default": "./dist/index.js"
      },
      "require": {
        "types": "./dist/index.d.cts",
        "default": "./dist/index.cjs"
      }
    },
    "./twist-plugin": {
      "@twisted-ts/source": "./src/plugin.ts",
      "import": {
        "types": "./dist/plugin.d.ts",
        "default": "./dist/plugin.js"
      },
      "require": {
        "types": "./dist/plugin.d.cts",
        "default": "./dist/plugin.cjs"
      }
    },
    "./package.json": "./package.json"
  },
  "scripts": {
    "build": "tsup",
    "typecheck": "tsc -p tsconfig.json",
    "docs:check": "typedoc --emit none",
    "check:package": "publint --strict && attw --pack . --profile node16"
  },
  "peerDependencies": {
    "@twisted-ts/basic": "workspace:^",
    "@twisted-ts/core": "workspace:^"
  },
  "devDependencies": {
    "@arethetypeswrong/cli": "catalog:",
    "@twisted-ts/basic": "workspace:*",
    "@twisted-ts/core": "workspace:*",
    "@twisted-ts/testing-helpers": "workspace:*",
    "@twisted-ts/tsconfig": "workspace:*",
    "@types/node": "catalog:",
    "fast-check": "catalog:",
    "publint": "catalog:",
    "tsup": "catalog:",
    "typedoc": "catalog:",
    "typescript": "catalog:",
    "vitest": "catalog:"
  },
  "publishConfig": {
    "access": "public"
  },
  "twist": {
    "plugins": {
      "${name}": "./twist-plugin"
    }
  }
}
`,
    [`${dir}/tsconfig.json`]: `{
  "extends": "@twisted-ts/tsconfig/base.json",
  "include": ["src", "test"]
}
`,
    [`${dir}/tsconfig.build.json`]: `{
  "extends": "@twisted-ts/tsconfig/base.json",
  "compilerOptions": { "noEmit": false, "customConditions": [] },
  "include": ["src"]
}
`,
    [`${dir}/tsup.config.ts`]: `import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/plugin.ts"],
  format: ["esm", "cjs"],
  dts: true,
  sourcemap: true,
  clean: true,
  target: "node20",
  tsconfig: "tsconfig.build.json",
  external: [/^@twisted-ts\\//],
});
`,
    [`${dir}/typedoc.json`]: `{
  "$schema": "https://typedoc.org/schema.json",
  "entryPoints": ["src/index.ts", "src/plugin.ts"],
  "tsconfig": "tsconfig.build.json",
  "treatWarningsAsErrors": true,
  "validation": {
    "notExported": true,
    "invalidLink": true,
    "notDocumented": true
  },
  "requiredToBeDocumented": [
    "Class",
    "Function",
    "Interface",
    "TypeAlias",
    "Variable",
    "Enum",
    "Method",
    "Property",
    "Accessor"
  ],
  "excludePrivate": true,
  "excludeInternal": true,
  "disableSources": true
}
`,
    [`${dir}/README.md`]: `# @twisted-ts/${name}

The ${name} protocol for Node.js on \`@twisted-ts/core\`: a pure line parser, a server
(\`${Pascal}ServerProtocol\`) and a client (\`${Pascal}ClientProtocol\`) over \`@twisted-ts/basic\`'s
\`LineReceiver\`, their factories, and the \`twist ${name}\` plugin.

> This package was made by \`pnpm new:protocol ${name}\`. Replace the stub protocol (\`PING\`, \`ECHO\`,
> \`QUIT\`, answered by \`OK …\` or \`ERR …\`) with the real one, and this paragraph with what it is.

\`\`\`sh
pnpm add @twisted-ts/${name} @twisted-ts/basic @twisted-ts/core
\`\`\`

Node.js ≥ 20.19. ESM and CommonJS, with types for both. \`@twisted-ts/core\` and
\`@twisted-ts/basic\` are peer dependencies.

## Example: a server and a client on 127.0.0.1

\`\`\`ts
import { ClientCreator, type IPv4Address, reactor } from "@twisted-ts/core";
import { ${Pascal}ClientProtocol, ${Pascal}ServerFactory } from "@twisted-ts/${name}";

const port = reactor.listenTCP(0, new ${Pascal}ServerFactory(), { interface: "127.0.0.1" });

reactor.callWhenRunning(async () => {
  const { port: number } = port.getHost() as IPv4Address;
  const client = await new ClientCreator(reactor, ${Pascal}ClientProtocol).connectTCP(
    "127.0.0.1",
    number,
  );
  console.log(await client.ping()); // "PONG"
  console.log(await client.echo("hello", "world")); // "hello world"
  reactor.stop();
});
await reactor.run();
\`\`\`

Or run the server with \`twist ${name} --listen tcp:8000:interface=127.0.0.1\`.

## API

\`@twisted-ts/${name}\`:
- **Parser**: \`parseLine(bytes, limits)\` → \`${Pascal}Message\` (\`command\`, \`args\`),
  \`formatMessage(message, limits)\`, \`ParseLimits\`, \`MAX_LINE_LENGTH\`, \`MAX_ARGUMENTS\`.
- **Server**: \`${Pascal}ServerProtocol\` (one \`do_<COMMAND>\` method per command, \`do_unknown\`),
  \`${Pascal}ServerFactory\`, \`DEFAULT_PORT\`.
- **Client**: \`${Pascal}ClientProtocol\` (\`sendCommand(command, ...args)\`, \`ping()\`, \`echo(...words)\`,
  each returning a \`Deferred<string>\`), \`${Pascal}ClientFactory\`.
- **Errors** (each a core \`TwistedError\` with a stable \`code\`): \`${Pascal}Error\` (\`ERR_${CONST}\`),
  \`${Pascal}ParseError\` (\`ERR_${CONST}_PARSE\`, \`line\`), \`${Pascal}ReplyError\` (\`ERR_${CONST}_REPLY\`,
  \`reply\`).

\`@twisted-ts/${name}/twist-plugin\`: \`${camel}Plugin\` (also the default export), \`makeService\`,
\`DEFAULT_LISTEN\`.

## Limits

| Limit | Default | When crossed |
| --- | --- | --- |
| \`MAX_LINE_LENGTH\` (the protocols' \`MAX_LENGTH\`) | 512 bytes | the server answers \`ERR line too long\` and drops the connection; the client drops it |
| \`MAX_ARGUMENTS\` | 15 | \`ERR more than 15 arguments\` |

## Differences from Twisted

None yet: list here every place where this package behaves differently from Twisted's
counterpart, and why.
`,
    [`${dir}/src/index.ts`]: `/**
 * \`@twisted-ts/${name}\`: the ${name} protocol: a line parser, a server and a client over
 * \`LineReceiver\`, and their factories.
 * @packageDocumentation
 */
export * from "./errors.js";
export * from "./parser.js";
export * from "./protocol.js";
`,
    [`${dir}/src/errors.ts`]: `/**
 * The errors of \`@twisted-ts/${name}\`. Each class extends core's \`TwistedError\`, so it has a
 * stable \`code\` and is recognised by \`instanceof\` across copies of the package (an ESM and a
 * CJS copy, or two installed versions).
 * @packageDocumentation
 */
import { TwistedError } from "@twisted-ts/core";

/** The base of every error this package raises (\`ERR_${CONST}\`). */
export class ${Pascal}Error extends TwistedError {
  static override readonly code: string = "ERR_${CONST}";
}

/** A line that is not a ${name} message: empty, too long, or not printable ASCII. */
export class ${Pascal}ParseError extends ${Pascal}Error {
  static override readonly code: string = "ERR_${CONST}_PARSE";
  /** The offending line, as received (without its delimiter). */
  readonly line: Buffer;

  /**
   * @param message - what is wrong with the line.
   * @param line - the line.
   */
  constructor(message: string, line: Buffer) {
    super(message);
    this.line = line;
  }
}

/**
 * The server answered a command with an error reply (\`ERR <text>\`). The reply's text is the
 * \`reply\` field, not only part of the message.
 */
export class ${Pascal}ReplyError extends ${Pascal}Error {
  static override readonly code: string = "ERR_${CONST}_REPLY";
  /** The text of the server's \`ERR\` reply. */
  readonly reply: string;

  /**
   * @param reply - the text after \`ERR\`.
   */
  constructor(reply: string) {
    super(\`the server answered: ERR \${reply}\`);
    this.reply = reply;
  }
}
`,
    [`${dir}/src/parser.ts`]: `/**
 * The ${name} line parser: pure functions from a line's bytes to a message and back. It never
 * touches a socket; \`${Pascal}ServerProtocol\` and \`${Pascal}ClientProtocol\` feed it the lines
 * \`LineReceiver\` cuts.
 * @packageDocumentation
 */
import { ${Pascal}ParseError } from "./errors.js";

/** The longest line accepted, in bytes, without its delimiter (512). */
export const MAX_LINE_LENGTH = 512;

/** The most arguments a message may carry after its command (15). */
export const MAX_ARGUMENTS = 15;

/** One ${name} message: a command and its space-separated arguments. */
export interface ${Pascal}Message {
  /** The command, upper-cased: "PING", "ECHO". */
  readonly command: string;
  /** The arguments after the command, in order; none may be empty or hold a space. */
  readonly args: readonly string[];
}

/** The limits \`parseLine\` enforces; each defaults to the constant of the same name. */
export interface ParseLimits {
  /** See {@link MAX_LINE_LENGTH}. */
  readonly maxLineLength?: number;
  /** See {@link MAX_ARGUMENTS}. */
  readonly maxArguments?: number;
}

/**
 * Parse one line (without its delimiter) into a message: printable ASCII words separated by
 * runs of spaces, the first being the command (upper-cased).
 * @param line - the line's bytes.
 * @param limits - the limits, when not the defaults.
 * @returns the message.
 * @throws ${Pascal}ParseError for a line longer than \`maxLineLength\` bytes, a byte that is not
 *   printable ASCII, an empty line, or more than \`maxArguments\` arguments.
 */
export function parseLine(line: Uint8Array, limits: ParseLimits = {}): ${Pascal}Message {
  const bytes = Buffer.from(line.buffer, line.byteOffset, line.byteLength);
  const maxLineLength = limits.maxLineLength ?? MAX_LINE_LENGTH;
  const maxArguments = limits.maxArguments ?? MAX_ARGUMENTS;
  if (bytes.length > maxLineLength) {
    throw new ${Pascal}ParseError(\`line longer than \${maxLineLength} bytes\`, bytes);
  }
  for (const byte of bytes) {
    if (byte < 0x20 || byte > 0x7e) {
      throw new ${Pascal}ParseError("line holds a byte that is not printable ASCII", bytes);
    }
  }
  const words = bytes
    .toString("latin1")
    .split(" ")
    .filter((word) => word !== "");
  const [command, ...args] = words;
  if (command === undefined) throw new ${Pascal}ParseError("empty line", bytes);
  if (args.length > maxArguments) {
    throw new ${Pascal}ParseError(\`more than \${maxArguments} arguments\`, bytes);
  }
  return { command: command.toUpperCase(), args };
}

/**
 * Serialise a message into a line (without its delimiter): the command and its arguments
 * joined by single spaces. \`parseLine(Buffer.from(formatMessage(m)))\` gives \`m\` back for any
 * message \`parseLine\` can produce.
 * @param message - the message.
 * @param limits - the limits, when not the defaults.
 * @returns the line, as a string of printable ASCII.
 * @throws ${Pascal}ParseError when the command or an argument is empty, holds a space or a byte
 *   that is not printable ASCII, or the line would be too long.
 */
export function formatMessage(message: ${Pascal}Message, limits: ParseLimits = {}): string {
  const line = [message.command, ...message.args].join(" ");
  for (const word of [message.command, ...message.args]) {
    if (!/^[\\x21-\\x7e]+$/.test(word)) {
      throw new ${Pascal}ParseError(\`cannot send the word \${JSON.stringify(word)}\`, Buffer.from(line));
    }
  }
  const parsed = parseLine(Buffer.from(line, "latin1"), limits);
  if (parsed.command !== message.command) {
    throw new ${Pascal}ParseError("a command must be upper case", Buffer.from(line));
  }
  return line;
}
`,
    [`${dir}/src/protocol.ts`]: `/**
 * The ${name} protocol over \`LineReceiver\`: \`${Pascal}ServerProtocol\` answers commands,
 * \`${Pascal}ClientProtocol\` sends them and matches replies to commands in order, and their
 * factories.
 * @packageDocumentation
 */
import { LineReceiver } from "@twisted-ts/basic";
import {
  ClientFactory,
  connectionDone,
  Deferred,
  type Failure,
  fail,
  ServerFactory,
} from "@twisted-ts/core";
import { ${Pascal}Error, ${Pascal}ParseError, ${Pascal}ReplyError } from "./errors.js";
import { formatMessage, MAX_LINE_LENGTH, parseLine, type ${Pascal}Message } from "./parser.js";

/** The port the \`twist ${name}\` plugin listens on by default (8000; choose your protocol's). */
export const DEFAULT_PORT = 8000;

/** A command handler: \`do_PING\`, \`do_ECHO\`, … found by name. */
type Handler = (this: ${Pascal}ServerProtocol, ...args: string[]) => void;

/**
 * The server side: reads one command per line and answers with one line, \`OK [text]\` or
 * \`ERR text\`. Each command is a method named \`do_<COMMAND>\` (found by name, as Twisted's
 * protocols find theirs); an unknown command goes to \`do_unknown\`.
 *
 * Limits: a line longer than \`MAX_LENGTH\` bytes (\`MAX_LINE_LENGTH\`, 512) is answered with
 * \`ERR line too long\` and the connection is dropped.
 */
export class ${Pascal}ServerProtocol extends LineReceiver<${Pascal}ServerFactory> {
  /** The longest line accepted, in bytes; \`MAX_LINE_LENGTH\` by default. */
  override MAX_LENGTH = MAX_LINE_LENGTH;

  /**
   * Parse a line and call the command's handler.
   * @param line - the line, without its delimiter.
   */
  override lineReceived(line: Buffer): void {
    let message: ${Pascal}Message;
    try {
      message = parseLine(line, { maxLineLength: this.MAX_LENGTH });
    } catch (error) {
      if (!(error instanceof ${Pascal}ParseError)) throw error;
      this.sendLine(\`ERR \${error.message}\`);
      return;
    }
    const handler = (this as unknown as Record<string, unknown>)[\`do_\${message.command}\`];
    if (typeof handler === "function") (handler as Handler).apply(this, [...message.args]);
    else this.do_unknown(message);
  }

  /** \`PING\`: answers \`OK PONG\`. */
  do_PING(): void {
    this.sendLine("OK PONG");
  }

  /**
   * \`ECHO word…\`: answers \`OK\` and the words.
   * @param words - the arguments.
   */
  do_ECHO(...words: string[]): void {
    this.sendLine(["OK", ...words].join(" "));
  }

  /** \`QUIT\`: answers \`OK bye\` and closes the connection. */
  do_QUIT(): void {
    this.sendLine("OK bye");
    this.transport?.loseConnection();
  }

  /**
   * A command with no \`do_\` method: answers \`ERR unknown command\`.
   * @param message - the message.
   */
  do_unknown(message: ${Pascal}Message): void {
    this.sendLine(\`ERR unknown command \${message.command}\`);
  }

  /**
   * A line longer than \`MAX_LENGTH\`: answer \`ERR line too long\` and drop the connection.
   * @param _line - the buffered bytes.
   */
  override lineLengthExceeded(_line: Buffer): void {
    this.sendLine("ERR line too long");
    this.transport?.loseConnection();
  }
}

/** Makes a \`${Pascal}ServerProtocol\` for each connection. */
export class ${Pascal}ServerFactory extends ServerFactory<${Pascal}ServerProtocol> {
  /** The protocol built for each connection. */
  override protocol = ${Pascal}ServerProtocol;
}

/**
 * The client side: \`sendCommand\` writes a command and returns a Deferred for its reply.
 * Replies are matched to commands in the order they were sent (a queue). An \`OK\` reply fires
 * the Deferred with its text; an \`ERR\` reply fails it with a \`${Pascal}ReplyError\`. When the
 * connection is lost, every pending Deferred fails with the reason.
 */
export class ${Pascal}ClientProtocol extends LineReceiver<${Pascal}ClientFactory> {
  /** The longest reply accepted, in bytes; a longer one drops the connection. */
  override MAX_LENGTH = MAX_LINE_LENGTH;
  private readonly pending: Deferred<string>[] = [];

  /**
   * Send a command.
   * @param command - the command, upper case.
   * @param args - its arguments (no spaces).
   * @returns a Deferred that fires with the reply's text, or fails with a \`${Pascal}ReplyError\`
   *   (an \`ERR\` reply), a \`${Pascal}ParseError\` (a command that cannot be sent), a \`${Pascal}Error\`
   *   (not connected), or the reason the connection was lost.
   */
  sendCommand(command: string, ...args: string[]): Deferred<string> {
    if (!this.connected) return fail(new ${Pascal}Error("not connected"));
    let line: string;
    try {
      line = formatMessage({ command, args });
    } catch (error) {
      return fail(error);
    }
    const d = new Deferred<string>();
    this.pending.push(d);
    this.sendLine(line);
    return d;
  }

  /**
   * \`PING\`.
   * @returns a Deferred that fires with \`"PONG"\`.
   */
  ping(): Deferred<string> {
    return this.sendCommand("PING");
  }

  /**
   * \`ECHO\`.
   * @param words - the words to echo.
   * @returns a Deferred that fires with the words, joined by spaces.
   */
  echo(...words: string[]): Deferred<string> {
    return this.sendCommand("ECHO", ...words);
  }

  /**
   * Match a reply to the oldest pending command.
   * @param line - the reply.
   */
  override lineReceived(line: Buffer): void {
    const d = this.pending.shift();
    if (d === undefined) {
      // A reply nobody asked for: the peer does not speak this protocol.
      this.transport?.loseConnection();
      return;
    }
    const text = line.toString("latin1");
    const space = text.indexOf(" ");
    const status = space === -1 ? text : text.slice(0, space);
    const rest = space === -1 ? "" : text.slice(space + 1);
    if (status === "OK") d.callback(rest);
    else d.errback(new ${Pascal}ReplyError(status === "ERR" ? rest : text));
  }

  /**
   * Fail every pending command with the reason.
   * @param reason - why the connection was lost.
   */
  override connectionLost(reason: Failure = connectionDone): void {
    super.connectionLost(reason);
    for (const d of this.pending.splice(0)) d.errback(reason);
  }
}

/** Makes a \`${Pascal}ClientProtocol\` for each connection it is asked to make. */
export class ${Pascal}ClientFactory extends ClientFactory<${Pascal}ClientProtocol> {
  /** The protocol built for each connection. */
  override protocol = ${Pascal}ClientProtocol;
}
`,
    [`${dir}/src/plugin.ts`]: `/**
 * \`@twisted-ts/${name}/twist-plugin\`: the \`twist ${name}\` plugin, a ${name} server.
 *
 * \`\`\`
 * twist ${name} --listen tcp:8000:interface=127.0.0.1
 * \`\`\`
 * @packageDocumentation
 */
import { type EndpointReactor, MultiService, strportsService } from "@twisted-ts/core";
import { DEFAULT_PORT, ${Pascal}ServerFactory } from "./protocol.js";

/** The endpoint listened on when no \`--listen\` is given. */
export const DEFAULT_LISTEN = \`tcp:\${DEFAULT_PORT}\`;

/** How the plugin declares its \`--listen\` option (the \`twist\` runner's option shape). */
export interface ListenOption {
  /** A string value. */
  readonly type: "string";
  /** May be given several times. */
  readonly multiple: true;
  /** Listen here when the option is not given. */
  readonly default: readonly string[];
  /** One line of help. */
  readonly help: string;
  /** The placeholder in help. */
  readonly valueName: "DESCRIPTION";
}

/** The options the plugin declares. */
export interface ${Pascal}PluginOptionDeclarations {
  /** \`--listen DESCRIPTION\`, repeatable. */
  readonly listen: ListenOption;
}

/** The options the plugin takes, as the runner parsed them. */
export interface ${Pascal}PluginOptions {
  /** Endpoint descriptions to listen on; \`DEFAULT_LISTEN\` when absent or empty. */
  readonly listen?: string | readonly string[] | undefined;
}

/** A \`twist\` plugin (a service maker), in the runner's shape. */
export interface ${Pascal}Plugin {
  /** The subcommand: \`twist ${name}\`. */
  readonly name: string;
  /** One line for \`twist --help\`. */
  readonly description: string;
  /** The subcommand's options. */
  readonly options: ${Pascal}PluginOptionDeclarations;
  /**
   * A service listening on every \`--listen\` description.
   * @param options - the parsed options.
   * @param reactor - the reactor to listen with.
   */
  makeService(options: ${Pascal}PluginOptions, reactor: EndpointReactor): MultiService;
}

/**
 * Make the ${name} server: one \`${Pascal}ServerFactory\` behind a \`StreamServerEndpointService\` for
 * each \`--listen\` description.
 * @param options - the parsed options.
 * @param reactor - the reactor to listen with.
 * @returns the service; \`startService()\` listens.
 * @throws Error for a \`--listen\` description that cannot be parsed.
 */
export function makeService(options: ${Pascal}PluginOptions, reactor: EndpointReactor): MultiService {
  const given = options.listen;
  const listens =
    given === undefined || given.length === 0
      ? [DEFAULT_LISTEN]
      : typeof given === "string"
        ? [given]
        : [...given];
  const service = new MultiService();
  const factory = new ${Pascal}ServerFactory();
  for (const description of listens) {
    strportsService(description, factory, reactor).setServiceParent(service);
  }
  return service;
}

/**
 * \`twist ${name}\`: a ${name} server on every \`--listen\` endpoint (\`tcp:8000\` by default). The
 * package names this module in its package.json (\`"twist": { "plugins": { "${name}":
 * "./twist-plugin" } }\`) and \`twist\` imports it from there.
 */
export const ${camel}Plugin: ${Pascal}Plugin = {
  name: "${name}",
  description: "A ${name} server.",
  options: {
    listen: {
      type: "string",
      multiple: true,
      default: [DEFAULT_LISTEN],
      help: \`an endpoint to listen on, e.g. \${DEFAULT_LISTEN} (repeatable)\`,
      valueName: "DESCRIPTION",
    },
  },
  makeService,
};

export default ${camel}Plugin;
`,
    [`${dir}/test/parser.test.ts`]: `import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ${Pascal}ParseError } from "../src/errors.js";
import { formatMessage, MAX_ARGUMENTS, MAX_LINE_LENGTH, parseLine } from "../src/parser.js";

const bytes = (text: string) => Buffer.from(text, "latin1");

describe("parseLine", () => {
  it("splits a command and its arguments on runs of spaces, upper-casing the command", () => {
    expect(parseLine(bytes("echo  a b"))).toEqual({ command: "ECHO", args: ["a", "b"] });
  });

  it("refuses an empty line, a control byte and a line over the limit", () => {
    expect(() => parseLine(bytes(""))).toThrow(${Pascal}ParseError);
    expect(() => parseLine(bytes("   "))).toThrow(${Pascal}ParseError);
    expect(() => parseLine(bytes("PING\\x00"))).toThrow(${Pascal}ParseError);
    expect(() => parseLine(bytes("A".repeat(MAX_LINE_LENGTH + 1)))).toThrow(/longer than 512/);
    expect(parseLine(bytes("A".repeat(MAX_LINE_LENGTH))).command).toHaveLength(MAX_LINE_LENGTH);
  });

  it("refuses more than MAX_ARGUMENTS arguments", () => {
    const args = Array.from({ length: MAX_ARGUMENTS + 1 }, (_, i) => String(i));
    expect(() => parseLine(bytes(\`ECHO \${args.join(" ")}\`))).toThrow(/more than 15/);
    expect(parseLine(bytes(\`ECHO \${args.slice(1).join(" ")}\`)).args).toHaveLength(MAX_ARGUMENTS);
  });

  it("keeps the offending line on the error", () => {
    try {
      parseLine(bytes("\\x01"));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(${Pascal}ParseError);
      expect((error as ${Pascal}ParseError).line).toEqual(bytes("\\x01"));
      expect((error as ${Pascal}ParseError).code).toBe("ERR_${CONST}_PARSE");
    }
  });

  it("never throws anything but a ${Pascal}ParseError on random bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (data) => {
        try {
          parseLine(data);
        } catch (error) {
          expect(error).toBeInstanceOf(${Pascal}ParseError);
        }
      }),
    );
  });
});

describe("formatMessage", () => {
  it("joins the command and arguments with single spaces", () => {
    expect(formatMessage({ command: "ECHO", args: ["a", "b"] })).toBe("ECHO a b");
  });

  it("refuses words it could not send", () => {
    expect(() => formatMessage({ command: "ECHO", args: ["a b"] })).toThrow(${Pascal}ParseError);
    expect(() => formatMessage({ command: "ECHO", args: [""] })).toThrow(${Pascal}ParseError);
    expect(() => formatMessage({ command: "echo", args: [] })).toThrow(/upper case/);
  });

  it("round-trips through parseLine", () => {
    const word = fc.stringMatching(/^[\\x21-\\x7e]{1,12}$/);
    fc.assert(
      fc.property(word, fc.array(word, { maxLength: MAX_ARGUMENTS }), (command, args) => {
        const message = { command: command.toUpperCase(), args };
        expect(parseLine(bytes(formatMessage(message)))).toEqual(message);
      }),
    );
  });
});
`,
    [`${dir}/test/protocol.test.ts`]: `import { ConnectionDone, type Deferred, type Failure, IPv4Address } from "@twisted-ts/core";
import { StringTransport, StringTransportWithDisconnection } from "@twisted-ts/core/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ${Pascal}Error, ${Pascal}ParseError, ${Pascal}ReplyError } from "../src/errors.js";
import {
  ${Pascal}ClientFactory,
  ${Pascal}ClientProtocol,
  ${Pascal}ServerFactory,
  type ${Pascal}ServerProtocol,
} from "../src/protocol.js";

const address = new IPv4Address("TCP", "127.0.0.1", 40000);

function server(): { protocol: ${Pascal}ServerProtocol; transport: StringTransportWithDisconnection } {
  const protocol = new ${Pascal}ServerFactory().buildProtocol(address);
  if (protocol === null) throw new Error("no protocol");
  const transport = new StringTransportWithDisconnection();
  transport.protocol = protocol;
  protocol.makeConnection(transport);
  return { protocol, transport };
}

function client(): { protocol: ${Pascal}ClientProtocol; transport: StringTransportWithDisconnection } {
  const protocol = new ${Pascal}ClientFactory().buildProtocol(address);
  if (protocol === null) throw new Error("no protocol");
  const transport = new StringTransportWithDisconnection();
  transport.protocol = protocol;
  protocol.makeConnection(transport);
  return { protocol, transport };
}

function outcome<T>(d: Deferred<T>): { value?: T; error?: unknown } {
  const seen: { value?: T; error?: unknown } = {};
  d.addCallbacks(
    (value: T) => {
      seen.value = value;
    },
    (failure: Failure) => {
      seen.error = failure.value;
    },
  );
  return seen;
}

const SESSION = "PING\\r\\necho hello world\\r\\nNOPE\\r\\n\\r\\nQUIT\\r\\n";
const REPLIES =
  "OK PONG\\r\\nOK hello world\\r\\nERR unknown command NOPE\\r\\nERR empty line\\r\\nOK bye\\r\\n";

describe("${Pascal}ServerProtocol", () => {
  it("answers each command with one line", () => {
    const { protocol, transport } = server();
    protocol.dataReceived(Buffer.from(SESSION));
    expect(transport.value().toString()).toBe(REPLIES);
    expect(transport.connected).toBe(false);
  });

  it("answers the same whatever the chunking of the input", () => {
    const input = Buffer.from(SESSION);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: input.length }), { maxLength: 8 }), (cuts) => {
        const { protocol, transport } = server();
        const points = [0, ...[...cuts].sort((a, b) => a - b), input.length];
        for (let i = 1; i < points.length; i++) {
          protocol.dataReceived(input.subarray(points[i - 1], points[i]));
        }
        expect(transport.value().toString()).toBe(REPLIES);
      }),
    );
  });

  it("answers a line over MAX_LENGTH with an error and drops the connection", () => {
    const { protocol, transport } = server();
    protocol.dataReceived(Buffer.from(\`ECHO \${"x".repeat(protocol.MAX_LENGTH)}\\r\\n\`));
    expect(transport.value().toString()).toBe("ERR line too long\\r\\n");
    expect(transport.connected).toBe(false);
  });
});

describe("${Pascal}ClientProtocol", () => {
  it("sends commands and matches replies in order", () => {
    const { protocol, transport } = client();
    const pong = outcome(protocol.ping());
    const echo = outcome(protocol.echo("a", "b"));
    const bad = outcome(protocol.sendCommand("NOPE"));
    expect(transport.value().toString()).toBe("PING\\r\\nECHO a b\\r\\nNOPE\\r\\n");
    protocol.dataReceived(Buffer.from("OK PONG\\r\\nOK a b\\r\\nERR unknown command NOPE\\r\\n"));
    expect(pong.value).toBe("PONG");
    expect(echo.value).toBe("a b");
    expect(bad.error).toBeInstanceOf(${Pascal}ReplyError);
    expect((bad.error as ${Pascal}ReplyError).reply).toBe("unknown command NOPE");
  });

  it("fails a command it cannot send without writing anything", () => {
    const { protocol, transport } = client();
    expect(outcome(protocol.echo("a b")).error).toBeInstanceOf(${Pascal}ParseError);
    expect(transport.value()).toHaveLength(0);
  });

  it("fails pending commands when the connection is lost, and later ones at once", () => {
    const { protocol, transport } = client();
    const pending = outcome(protocol.ping());
    transport.loseConnection();
    expect(pending.error).toBeInstanceOf(ConnectionDone);
    expect(outcome(protocol.ping()).error).toBeInstanceOf(${Pascal}Error);
  });

  it("drops a connection that sends a reply nobody asked for", () => {
    const protocol = new ${Pascal}ClientProtocol();
    const transport = new StringTransport();
    protocol.makeConnection(transport);
    protocol.dataReceived(Buffer.from("OK surprise\\r\\n"));
    expect(transport.disconnecting).toBe(true);
  });
});
`,
    [`${dir}/test/protocol.loopback.test.ts`]: `import { ClientCreator, type IPv4Address, MultiService } from "@twisted-ts/core";
import { LineClient, onCleanup, testReactor } from "@twisted-ts/testing-helpers/loopback";
import { describe, expect, it } from "vitest";
import { makeService } from "../src/plugin.js";
import { ${Pascal}ClientProtocol, ${Pascal}ServerFactory } from "../src/protocol.js";

describe("${name} over real sockets", () => {
  it("a plain socket client gets answers from the server", async () => {
    const reactor = testReactor();
    const factory = new ${Pascal}ServerFactory();
    factory.noisy = false;
    const port = reactor.listenTCP(0, factory, { interface: "127.0.0.1" });
    onCleanup(async () => {
      await port.stopListening();
    });
    const client = await LineClient.connect((port.getHost() as IPv4Address).port);
    client.send("PING\\r\\nECHO over TCP\\r\\nQUIT\\r\\n");
    expect(await client.waitForLines(3)).toEqual(["OK PONG", "OK over TCP", "OK bye"]);
    await client.waitForEnd();
  });

  it("our client talks to the twist plugin's server", async () => {
    const reactor = testReactor();
    const service = makeService({ listen: "tcp:0:interface=127.0.0.1" }, reactor);
    expect(service).toBeInstanceOf(MultiService);
    service.privilegedStartService();
    service.startService();
    onCleanup(async () => {
      await service.stopService();
    });
    const [child] = [...service];
    const listening = (child as { listeningPort?: { getHost(): unknown } }).listeningPort;
    if (listening === undefined) throw new Error("the plugin's service is not listening");
    const port = (listening.getHost() as IPv4Address).port;
    const protocol = await new ClientCreator(reactor, ${Pascal}ClientProtocol).connectTCP(
      "127.0.0.1",
      port,
    );
    onCleanup(() => protocol.transport?.loseConnection());
    expect(await protocol.ping()).toBe("PONG");
    expect(await protocol.echo("one", "two")).toBe("one two");
  });
});
`,
    [`.changeset/${name}-first.md`]: `---
"@twisted-ts/${name}": minor
---

First release: the ${name} protocol, made with \`pnpm new:protocol ${name}\`: a line parser, a server
and a client over \`LineReceiver\`, and a \`twist ${name}\` plugin.
`,
  };
}

function main() {
  const { name, install } = parseArguments(process.argv.slice(2));
  if (!NAME.test(name)) {
    die(
      `bad name ${JSON.stringify(name)}: use lowercase letters, digits and single hyphens, ` +
        "starting with a letter (e.g. memcache, my-proto)",
    );
  }
  if (name.length > 40) die(`bad name ${JSON.stringify(name)}: at most 40 characters`);
  const dir = join(root, "packages", name);
  if (existsSync(dir)) die(`packages/${name} exists already`);
  const changeset = join(root, ".changeset", `${name}-first.md`);
  if (existsSync(changeset)) die(`.changeset/${name}-first.md exists already`);

  const files = templates(spellings(name));
  for (const [path, content] of Object.entries(files)) {
    const target = join(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content, { flag: "wx" });
  }
  process.stdout.write(
    `new:protocol: created packages/${name} (${Object.keys(files).length} files) and ` +
      `.changeset/${name}-first.md\n`,
  );
  // Names change line lengths and the order of sorted imports: let the workspace's Biome lay
  // the new files out as it lays out every other file.
  const biome = join(root, "node_modules", ".bin", "biome");
  if (existsSync(biome)) {
    const r = spawnSync(biome, ["check", "--write", `packages/${name}`], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (r.error !== undefined || r.status !== 0) {
      die(`biome check --write packages/${name} failed (${r.error ?? `exit ${r.status}`})`);
    }
  } else {
    process.stderr.write("new:protocol: Biome is not installed: run `pnpm lint` after install\n");
  }
  if (install) {
    process.stdout.write("new:protocol: pnpm install (links the package into the workspace)\n");
    // A new package changes the lockfile: --frozen-lockfile (CI's default) would refuse it.
    const r = spawnSync("pnpm", ["install", "--no-frozen-lockfile"], {
      cwd: root,
      stdio: "inherit",
    });
    if (r.error !== undefined || r.status !== 0) {
      die(`pnpm install failed; run it yourself, then continue (${r.error ?? `exit ${r.status}`})`);
    }
  }
  process.stdout.write(
    `\nNext:\n  cd packages/${name}\n  pnpm typecheck && pnpm docs:check && pnpm build\n` +
      `  cd ../.. && npx vitest run packages/${name}\n`,
  );
}

main();
