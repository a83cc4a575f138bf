// The `hash-helper` program's first file (dist/cli.cjs): it loads the program (dist/cli-main.cjs,
// from cli-bin.ts) with V8's code cache, so that a start does not compile the 330 KB bundle again,
// nor the functions the last run compiled on first call: about 20 ms of every run of the CLI.
// On Node 22.8+ that is Node's own module.enableCompileCache(); on Node 20, the same thing done
// with vm.Script's cachedData. The cache is best effort: anything that fails only costs the time.
//
// Where: NODE_COMPILE_CACHE when set (Node's own variable), or a directory of the user's own in
// the system's temporary directory. A code cache is code: one another user could write would run
// as whoever runs the CLI, so a directory not owned by this user, or that others may write, is
// not used. NODE_DISABLE_COMPILE_CACHE=1 turns it off, as it does Node's.
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import * as nodeModule from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { constants, Script } from "node:vm";
import pkg from "../../../package.json" with { type: "json" };

const main = join(__dirname, "cli-main.cjs");
/**
 * The SHA-256 of cli-main.cjs (its first 16 hex digits), written in by scripts/build.mjs: it names
 * the cache, since V8 checks only that cached code was made for a source of the same length.
 */
declare const CLI_MAIN_HASH: string;

/** The directory of the cache, made if need be, or undefined when none may be used. */
function cacheDirectory(): string | undefined {
  // Set to anything but the empty string, it turns the cache off.
  if (process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  const chosen = process.env.NODE_COMPILE_CACHE;
  if (chosen) return chosen;
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const dir = join(tmpdir(), `hash-helper-compile-cache-${uid}`);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch {
    // It exists already, or cannot be made: either way, checked below.
  }
  try {
    const stat = lstatSync(dir);
    if (!stat.isDirectory() || stat.uid !== uid || (stat.mode & 0o077) !== 0) return undefined;
  } catch {
    return undefined;
  }
  return dir;
}

/** The length of the digest that starts the cache file. */
const DIGEST_BYTES = 20;

/** Runs dist/cli-main.cjs as Node would, from V8 code cached in `dir`, and caches it again when V8 had none it could use. */
function runCached(dir: string): void {
  const source = readFileSync(main, "utf8");
  // V8 refuses data made for a source of another length, another build of V8 or other flags; the
  // name keeps apart versions and sources of the same length.
  const file = join(dir, `cli-${pkg.version}-${process.version}-${process.arch}-${CLI_MAIN_HASH}.v8`);
  // V8 checks only the header of what it is given: a byte damaged further in crashes it. The
  // file is a digest of the data, then the data; data that does not match is not used. What it
  // guards against is damage, not an attacker (who could write the file could run anything as
  // this user in the directory's place), so SHA-1 does: a third of SHA-256's cost, 9 M
  // instructions a start for a cache of 250 KB (node:crypto is what the CLI's signatures load anyway).
  const digest = (data: Uint8Array) => process.getBuiltinModule("node:crypto").createHash("sha1").update(data).digest();
  let cachedData: Buffer | undefined;
  try {
    const stored = readFileSync(file);
    const data = stored.subarray(DIGEST_BYTES);
    if (stored.length > DIGEST_BYTES && digest(data).equals(stored.subarray(0, DIGEST_BYTES))) cachedData = data;
  } catch {
    cachedData = undefined;
  }
  // The wrapper Node's CommonJS loader puts around a module.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: main,
    // An import() in the program loads as it would in a module of its own.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    ...(cachedData ? { cachedData } : {}),
  });
  if (!cachedData || script.cachedDataRejected) {
    // At exit, so that the cache holds the functions this run compiled too.
    process.once("exit", () => {
      try {
        const data = script.createCachedData();
        const temporary = `${file}.${process.pid}`;
        try {
          writeFileSync(temporary, Buffer.concat([digest(data), data]), { mode: 0o600 });
          renameSync(temporary, file);
        } catch {
          rmSync(temporary, { force: true });
        }
        // The caches of other versions and builds are of no more use.
        for (const other of readdirSync(dir)) {
          if (/^cli-.*\.v8$/.test(other) && join(dir, other) !== file) rmSync(join(dir, other), { force: true });
        }
      } catch {
        // A cache that cannot be written is a slower start next time, nothing more.
      }
    });
  }
  const module = { exports: {} };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(module.exports, module.exports, nodeModule.createRequire(main), module, main, dirname(main));
}

// Node 22.8+ (where Node checks its cache itself); the types are Node 20's.
const { enableCompileCache } = nodeModule as { enableCompileCache?: (directory: string) => unknown };
const dir = cacheDirectory();
if (dir !== undefined && enableCompileCache === undefined) {
  runCached(dir);
} else {
  if (dir !== undefined) enableCompileCache?.(dir);
  nodeModule.createRequire(main)(main);
}
