#!/usr/bin/env node
// The code samples of the documentation, checked: every fenced ```ts (or ```js) block of the root
// README, of each package's and app's README and of docs/ is type-checked with tsc, and the
// blocks marked runnable (info string "ts run") are run with tsx and must exit 0.
//
// Each block becomes its own module file in a temporary directory inside the directory that owns
// the markdown file (packages/<name>/ or apps/<name>/), so workspace imports and the
// "@twisted-ts/source" condition resolve as they do for that package's own code, and tsc uses that
// package's tsconfig. The root README and docs/ belong to tooling/testing; their temporary
// directory gets a node_modules/@twisted-ts/* of links to every workspace package, as a user's
// project would have them installed.
//
// A block may go on from an earlier one in the same file (a test of the class the block before
// defined). Such a block is found by tsc itself: when it fails only with "Cannot find name" for
// names an earlier block declares at its top level, it is checked (and run) again together with
// those blocks, their imports merged. The info string "ts continues" asks for this explicitly.
//
// Usage as a program: node tooling/scripts/doc-samples.mjs   (type-checks and runs everything;
// exit status 1 on any failure). The vitest test tooling/scripts/test/docSamples.test.ts uses the
// same functions.
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

/** The repository's root directory. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

const LANGUAGES = new Map([
  ["ts", "ts"],
  ["typescript", "ts"],
  ["mts", "ts"],
  ["js", "js"],
  ["javascript", "js"],
  ["mjs", "js"],
]);

/** The directory that owns the root README's and docs/'s samples. */
const SHARED_OWNER = "tooling/testing";

/**
 * The markdown files whose samples are checked, relative to the root: README.md,
 * packages/* /README.md, apps/* /README.md and docs/**.md (docs/api excluded).
 * @returns {string[]}
 */
export function markdownFiles() {
  const files = ["README.md"];
  for (const parent of ["packages", "apps"]) {
    for (const name of readdirSync(join(root, parent)).sort()) {
      if (existsSync(join(root, parent, name, "README.md")))
        files.push(`${parent}/${name}/README.md`);
    }
  }
  const walk = (dir) => {
    if (!existsSync(join(root, dir))) return;
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (path !== "docs/api") walk(path);
      } else if (entry.name.endsWith(".md")) files.push(path);
    }
  };
  walk("docs");
  return files;
}

/**
 * @typedef {object} Block
 * @property {string} md        the markdown file, relative to the root
 * @property {number} index     the block's number in that file, from 1 (code blocks only)
 * @property {number} line      the line of the opening fence, from 1
 * @property {"ts" | "js"} lang
 * @property {Set<string>} flags the info string's other words ("run", "continues")
 * @property {string} code
 * @property {string} owner     the owning directory, relative to the root
 */

/**
 * The ts and js code blocks of a markdown text, in order.
 * @param {string} md the file's path relative to the root (recorded in each block)
 * @param {string} text
 * @returns {Block[]}
 */
export function extractBlocks(md, text) {
  const lines = text.split(/\r?\n/);
  /** @type {Block[]} */
  const blocks = [];
  let index = 0;
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^`\s]*)(.*)$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, word, rest] = open;
    const end = lines.findIndex(
      (l, j) => j > i && l.trim().startsWith(fence) && l.trim().replace(/[`~]/g, "") === "",
    );
    const close = end === -1 ? lines.length : end;
    const lang = LANGUAGES.get(word.toLowerCase());
    if (lang !== undefined) {
      index += 1;
      const body = lines
        .slice(i + 1, close)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()));
      blocks.push({
        md,
        index,
        line: i + 1,
        lang: /** @type {"ts" | "js"} */ (lang),
        flags: new Set(
          rest
            .trim()
            .split(/[\s,]+/)
            .filter(Boolean),
        ),
        code: `${body.join("\n")}\n`,
        owner: ownerOf(md),
      });
    }
    i = close;
  }
  return blocks;
}

/** @param {string} md */
function ownerOf(md) {
  const m = /^(packages|apps)\/([^/]+)\/README\.md$/.exec(md);
  return m ? `${m[1]}/${m[2]}` : SHARED_OWNER;
}

/** Every block of every checked markdown file. @returns {Block[]} */
export function allBlocks() {
  return markdownFiles().flatMap((md) => extractBlocks(md, readFileSync(join(root, md), "utf8")));
}

/** The block's label in messages: `docs/reactor.md:12 (block 3)`. @param {Block} b */
export const label = (b) => `${b.md}:${b.line} (block ${b.index})`;

/** The names a block declares at its top level (imports included). @param {string} code */
export function topLevelNames(code) {
  const sf = ts.createSourceFile("x.ts", code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const names = new Set();
  const bind = (name) => {
    if (!name) return;
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) bind(el.name);
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) bind(d.name);
    else if (
      ts.isClassDeclaration(st) ||
      ts.isFunctionDeclaration(st) ||
      ts.isInterfaceDeclaration(st) ||
      ts.isTypeAliasDeclaration(st) ||
      ts.isEnumDeclaration(st)
    ) {
      bind(st.name);
    } else if (ts.isImportDeclaration(st) && st.importClause) {
      bind(st.importClause.name);
      const nb = st.importClause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) bind(nb.name);
      else if (nb) for (const el of nb.elements) bind(el.name);
    }
  }
  return names;
}

/**
 * Several blocks as one module: their import declarations merged (each local name once) at the
 * top, then the rest of each block in order.
 * @param {string[]} codes
 */
export function mergeBlocks(codes) {
  /** @type {Map<string, { named: Map<string, string>, defaults: Set<string>, namespaces: Set<string>, bare: boolean }>} */
  const modules = new Map();
  const bodies = [];
  for (const code of codes) {
    const sf = ts.createSourceFile("x.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    let body = code;
    const cuts = [];
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
      cuts.push([st.getStart(sf), st.getEnd()]);
      const spec = st.moduleSpecifier.text;
      const entry = modules.get(spec) ?? {
        named: new Map(),
        defaults: new Set(),
        namespaces: new Set(),
        bare: false,
      };
      modules.set(spec, entry);
      const clause = st.importClause;
      if (!clause) {
        entry.bare = true;
        continue;
      }
      const typeOnly = clause.isTypeOnly ? "type " : "";
      if (clause.name) entry.defaults.add(clause.name.text);
      const nb = clause.namedBindings;
      if (nb && ts.isNamespaceImport(nb)) entry.namespaces.add(nb.name.text);
      else if (nb) {
        for (const el of nb.elements) {
          const text = el.getText(sf);
          const prev = entry.named.get(el.name.text);
          // A value import wins over a type-only one of the same name.
          if (prev === undefined || prev.startsWith("type ")) {
            entry.named.set(el.name.text, el.isTypeOnly ? text : `${typeOnly}${text}`);
          }
        }
      }
    }
    for (const [start, end] of cuts.reverse()) body = body.slice(0, start) + body.slice(end);
    bodies.push(body.trim());
  }
  const imports = [];
  for (const [spec, e] of modules) {
    const q = JSON.stringify(spec);
    for (const d of e.defaults) imports.push(`import ${d} from ${q};`);
    for (const n of e.namespaces) imports.push(`import * as ${n} from ${q};`);
    if (e.named.size > 0) imports.push(`import { ${[...e.named.values()].join(", ")} } from ${q};`);
    if (e.bare && e.defaults.size + e.namespaces.size + e.named.size === 0) {
      imports.push(`import ${q};`);
    }
  }
  return `${imports.join("\n")}\n\n${bodies.join("\n\n")}\n`;
}

/**
 * Rewrites the relative import specifiers of a block written beside `mdDir` so that they still
 * resolve from `fileDir`.
 */
function rewriteRelativeImports(code, mdDir, fileDir) {
  return code.replace(
    /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']*)\2/g,
    (_all, lead, quote, spec) => {
      let path = relative(fileDir, resolve(mdDir, spec)).split(sep).join("/");
      if (!path.startsWith(".")) path = `./${path}`;
      return `${lead}${quote}${path}${quote}`;
    },
  );
}

/**
 * @typedef {object} Sample
 * @property {Block} block
 * @property {string} file        the module written for it (absolute)
 * @property {Block[]} chain      the earlier blocks it was merged with (empty when standalone)
 * @property {string[]} errors    tsc's errors for it, after merging when merged
 */

/**
 * A workspace of temporary directories, one per owning directory.
 */
export class SampleWorkspace {
  constructor() {
    /** @type {Map<string, string>} owner → temp dir (absolute) */
    this.dirs = new Map();
    this.round = 0;
  }

  /** The temporary directory inside `owner`, made on first use. @param {string} owner */
  dirFor(owner) {
    let dir = this.dirs.get(owner);
    if (dir !== undefined) return dir;
    dir = mkdtempSync(join(root, owner, ".doc-samples-"));
    this.dirs.set(owner, dir);
    if (owner === SHARED_OWNER) linkWorkspacePackages(dir);
    return dir;
  }

  /** Writes a module for a block (or a merged chain) and returns its path. */
  write(block, code, suffix = "") {
    const dir = this.dirFor(block.owner);
    const ext = block.lang === "js" ? "js" : "ts";
    const base = block.md.replace(/[^A-Za-z0-9]+/g, "_").replace(/_md$/, "");
    const file = join(dir, `${base}_${String(block.index).padStart(2, "0")}${suffix}.${ext}`);
    const fixed = rewriteRelativeImports(code, dirname(join(root, block.md)), dir);
    writeFileSync(file, fixed);
    return file;
  }

  /** Removes every temporary directory. */
  cleanup() {
    for (const dir of this.dirs.values()) rmSync(dir, { recursive: true, force: true });
    this.dirs.clear();
  }
}

/** Links node_modules/@twisted-ts/<name> to every workspace package, in `dir`. */
function linkWorkspacePackages(dir) {
  const scope = join(dir, "node_modules", "@twisted-ts");
  mkdirSync(scope, { recursive: true });
  for (const parent of ["packages", "tooling"]) {
    for (const name of readdirSync(join(root, parent))) {
      const pkgJson = join(root, parent, name, "package.json");
      if (!existsSync(pkgJson)) continue;
      const { name: pkgName } = JSON.parse(readFileSync(pkgJson, "utf8"));
      if (typeof pkgName !== "string" || !pkgName.startsWith("@twisted-ts/")) continue;
      const link = join(scope, pkgName.slice("@twisted-ts/".length));
      if (!existsSync(link)) symlinkSync(join(root, parent, name), link, "dir");
    }
  }
}

/** The tsconfig of an owning directory, without its file lists: the grouping key. */
function tsconfigKey(owner) {
  const path = join(root, owner, "tsconfig.json");
  const { include: _i, exclude: _e, files: _f, ...rest } = JSON.parse(readFileSync(path, "utf8"));
  return JSON.stringify(rest);
}

/**
 * Runs a command to completion without blocking the event loop.
 * @returns {Promise<{ code: number | null, signal: string | null, output: string, timedOut: boolean }>}
 */
export function runCommand(command, args, { cwd, timeoutMs = 120_000, env } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: env ?? childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (d) => {
      output += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      output += d;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, output, timedOut });
    });
  });
}

/** This process's environment without what a test runner set for itself. */
export function childEnv() {
  /** @type {NodeJS.ProcessEnv} */
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("VITEST") && key !== "NODE_OPTIONS" && key !== "FORCE_COLOR") {
      env[key] = value;
    }
  }
  env.NO_COLOR = "1";
  return env;
}

const tscBin = createRequire(join(root, "package.json")).resolve("typescript/bin/tsc");

/**
 * Type-checks files with tsc, one program per distinct tsconfig: the generated tsconfig extends
 * the owner's, lists the files, and treats every file as a module.
 * @param {SampleWorkspace} ws
 * @param {{ file: string, owner: string, lang: string }[]} entries
 * @returns {Promise<Map<string, string[]>>} errors by absolute file path
 */
async function typeCheck(ws, entries) {
  /** @type {Map<string, typeof entries>} */
  const groups = new Map();
  for (const e of entries) {
    const key = tsconfigKey(e.owner);
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  /** @type {Map<string, string[]>} */
  const errors = new Map();
  ws.round += 1;
  await Promise.all(
    [...groups.values()].map(async (group, n) => {
      const first = group[0];
      const dir = ws.dirFor(first.owner);
      const config = join(dir, `tsconfig.samples-${ws.round}-${n}.json`);
      writeFileSync(
        config,
        JSON.stringify(
          {
            extends: join(root, first.owner, "tsconfig.json"),
            compilerOptions: {
              noEmit: true,
              moduleDetection: "force",
              allowJs: true,
              checkJs: true,
              incremental: false,
            },
            files: group.map((e) => e.file),
            include: [],
          },
          null,
          2,
        ),
      );
      const result = await runCommand(
        process.execPath,
        [tscBin, "-p", config, "--pretty", "false"],
        {
          cwd: dir,
          timeoutMs: 300_000,
        },
      );
      if (result.timedOut) throw new Error(`tsc timed out:\n${result.output}`);
      // "path(line,col): error TSnnnn: message" plus indented continuation lines. Errors in
      // files other than the samples (the packages' own sources) are `pnpm typecheck`'s business.
      const files = new Set(group.map((e) => e.file));
      /** @type {string[] | undefined} */
      let current;
      for (const line of result.output.split("\n")) {
        const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
        if (m) {
          const file = resolve(dir, m[1]);
          if (!files.has(file)) {
            current = undefined;
            continue;
          }
          current = errors.get(file) ?? [];
          errors.set(file, current);
          current.push(`${m[2]}:${m[3]} ${m[4]} ${m[5]}`);
        } else if (line.startsWith("  ") && current !== undefined) {
          current[current.length - 1] += `\n${line}`;
        } else if (/^error TS\d+/.test(line)) {
          // An error of the program itself (a broken config): it concerns every file.
          for (const e of group) errors.set(e.file, [...(errors.get(e.file) ?? []), line]);
        }
      }
    }),
  );
  return errors;
}

const MISSING_NAME = /^\d+:\d+ TS(2304|2552) Cannot find name '([^']+)'/;

/**
 * Writes and type-checks every block. A block that only misses names declared by earlier blocks
 * of its file (or marked "continues") is checked again merged with those blocks.
 * @param {SampleWorkspace} ws
 * @param {Block[]} blocks
 * @returns {Promise<Sample[]>}
 */
export async function checkBlocks(ws, blocks) {
  /** @type {Sample[]} */
  const samples = blocks.map((block) => ({
    block,
    file: ws.write(block, block.code),
    chain: [],
    errors: [],
  }));
  const first = await typeCheck(
    ws,
    samples.map((s) => ({ file: s.file, owner: s.block.owner, lang: s.block.lang })),
  );
  /** @type {Sample[]} */
  const retry = [];
  for (const s of samples) {
    s.errors = first.get(s.file) ?? [];
    const earlier = samples.filter(
      (o) => o.block.md === s.block.md && o.block.index < s.block.index,
    );
    const missing = new Set();
    let onlyMissing = s.errors.length > 0;
    for (const e of s.errors) {
      const m = MISSING_NAME.exec(e);
      if (m) missing.add(m[2]);
      else onlyMissing = false;
    }
    const explicit = s.block.flags.has("continues");
    if (!explicit && !(onlyMissing && missing.size > 0)) continue;
    // The earlier blocks that declare the missing names, with what they go on from in turn.
    const wanted = new Set();
    const want = (sample) => {
      if (wanted.has(sample)) return;
      wanted.add(sample);
      for (const c of sample.chain) want(samples.find((o) => o.block === c));
    };
    if (explicit && earlier.length > 0) want(earlier[earlier.length - 1]);
    for (const name of missing) {
      const decl = [...earlier].reverse().find((o) => topLevelNames(o.block.code).has(name));
      if (decl) want(decl);
      else if (!explicit) onlyMissing = false;
    }
    if (!explicit && !onlyMissing) continue;
    s.chain = earlier.filter((o) => wanted.has(o)).map((o) => o.block);
    retry.push(s);
  }
  if (retry.length > 0) {
    for (const s of retry) {
      // A chain member that is itself merged contributes its blocks through its own chain.
      s.file = ws.write(s.block, mergeBlocks([...s.chain, s.block].map((b) => b.code)), "_merged");
    }
    const second = await typeCheck(
      ws,
      retry.map((s) => ({ file: s.file, owner: s.block.owner, lang: s.block.lang })),
    );
    for (const s of retry) s.errors = second.get(s.file) ?? [];
  }
  return samples;
}

/** The tsx loader, as a URL for `node --import`. */
export function tsxLoader() {
  const candidates = [
    root,
    ...["apps", "packages"].flatMap((p) => readdirSync(join(root, p)).map((n) => join(root, p, n))),
  ];
  for (const dir of candidates) {
    try {
      const resolved = createRequire(join(dir, "package.json")).resolve("tsx");
      return pathToFileURL(resolved).href;
    } catch {
      // not installed there
    }
  }
  throw new Error("tsx is not installed in the workspace");
}

/**
 * Runs a sample's module with tsx from its temporary directory.
 * @param {Sample} sample
 * @param {number} timeoutMs
 */
export function runSample(sample, timeoutMs = 60_000) {
  return runCommand(
    process.execPath,
    ["--import", tsxLoader(), "--conditions=@twisted-ts/source", sample.file],
    { cwd: dirname(sample.file), timeoutMs },
  );
}

/**
 * Describes a sample's type errors for a failure message: for a standalone block, each error at
 * its line in the markdown file; for a merged one, at its line in the merged module.
 * @param {Sample} s
 */
export function describeErrors(s) {
  if (s.chain.length > 0) {
    const others = s.chain.map((b) => `block ${b.index}`).join(", ");
    return `${label(s.block)}, checked together with ${others} (lines of the merged module):\n  ${s.errors.join("\n  ")}`;
  }
  const errors = s.errors.map((e) =>
    e.replace(/^(\d+):(\d+) /, (_all, l, c) => `${s.block.md}:${s.block.line + Number(l)}:${c} `),
  );
  return `${label(s.block)}:\n  ${errors.join("\n  ")}`;
}

// As a program: check everything and print a summary.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ws = new SampleWorkspace();
  let failed = 0;
  try {
    const blocks = allBlocks();
    const samples = await checkBlocks(ws, blocks);
    for (const s of samples) {
      if (s.errors.length > 0) {
        failed += 1;
        console.error(describeErrors(s));
      }
    }
    const runnable = samples.filter((s) => s.block.flags.has("run"));
    await Promise.all(
      runnable.map(async (s) => {
        const r = await runSample(s);
        if (r.code !== 0) {
          failed += 1;
          console.error(
            `${label(s.block)} exited ${r.code ?? r.signal}${r.timedOut ? " (timed out)" : ""}:\n${r.output}`,
          );
        }
      }),
    );
    console.log(`${samples.length} blocks type-checked, ${runnable.length} run, ${failed} failed`);
  } finally {
    ws.cleanup();
  }
  process.exitCode = failed > 0 ? 1 : 0;
}
