// dist/cli.cjs, the program's first file (src/shells/cli/start.ts): it runs the program from V8's
// code cache, in a directory private to the user, and a cache it cannot use costs only time.
import { spawnSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const cli = fileURLToPath(new URL("../dist/cli.cjs", import.meta.url));
const KEY = "0123456789abcdef0123456789abcdef";
const expression = `hash.append("member-1").appendNewLine().append(hash.getExpiryTime(240)).encodeHmacSha1("${KEY}").encodeBase64().printDigest()`;
// The Moz signature at 1,700,000,000 s, by hand.
const signature = createHmac("sha1", KEY).update("member-1\n1700000240").digest("base64");
// Node 22.1+ has a compile cache of its own, which the CLI turns on; Node 20 has the CLI's.
const nodeHasOne = Number(process.versions.node.split(".")[0]) >= 22;

let temporary: string;
beforeEach(() => {
  temporary = mkdtempSync(join(tmpdir(), "hash-helper-start-"));
});
afterEach(() => {
  rmSync(temporary, { recursive: true, force: true });
});

/** Runs `hash-helper eval` with TMPDIR (and so the default cache directory) in the test's own directory. */
function run(env: Record<string, string> = {}) {
  const environment: NodeJS.ProcessEnv = { ...process.env, TMPDIR: temporary, ...env };
  delete environment.NODE_COMPILE_CACHE;
  delete environment.NODE_DISABLE_COMPILE_CACHE;
  Object.assign(environment, env);
  const child = spawnSync(process.execPath, [cli, "eval", "--now", "1700000000", expression], {
    env: environment,
    encoding: "utf8",
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

const defaultDirectory = () => join(temporary, `hash-helper-compile-cache-${process.getuid?.()}`);
/** Every file under `dir`, recursively. */
const files = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));

describe.skipIf(process.getuid === undefined)("the CLI's code cache", () => {
  it("is made on the first run, in a directory only the user can read, and used by the next", () => {
    expect(run()).toStrictEqual({ status: 0, stdout: `${signature}\n`, stderr: "" });
    const dir = defaultDirectory();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const made = files(dir);
    expect(made.length).toBeGreaterThan(0);
    if (!nodeHasOne) {
      expect(made.map((f) => statSync(f).mode & 0o777)).toStrictEqual([0o600]);
      // Named by the program's content: V8 checks only the length of the source it was made for.
      const hash = createHash("sha256")
        .update(readFileSync(join(dirname(cli), "cli-main.cjs")))
        .digest("hex")
        .slice(0, 16);
      expect(made[0]).toContain(hash);
    }
    expect(run()).toStrictEqual({ status: 0, stdout: `${signature}\n`, stderr: "" });
    expect(files(dir)).toStrictEqual(made);
  });

  it("holds the program's compiled code, nothing of a template or its key", () => {
    // Texts the program's own source does not hold (its help quotes the Moz example).
    const key = "k-7c1e0b5d-cache-probe";
    const data = "d-93af21-cache-probe";
    const child = spawnSync(
      process.execPath,
      [cli, "eval", "--now", "1", `hash.append("${data}").encodeHmacSha1("${key}").encodeBase64().printDigest()`],
      { env: { ...process.env, TMPDIR: temporary }, encoding: "utf8" },
    );
    expect(child.stdout).toBe(`${createHmac("sha1", key).update(data).digest("base64")}\n`);
    const cached = files(defaultDirectory()).map((file) => readFileSync(file));
    expect(cached.length).toBeGreaterThan(0);
    for (const bytes of cached) {
      for (const text of [key, data]) {
        expect(bytes.includes(Buffer.from(text, "latin1"))).toBe(false);
        expect(bytes.includes(Buffer.from(text, "utf16le"))).toBe(false);
      }
    }
  });

  it.skipIf(nodeHasOne)("drops the caches of other builds when it writes its own", () => {
    const dir = defaultDirectory();
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, "cli-0.0.1-v20.0.0-x64-0000000000000000.v8"), "old", { mode: 0o600 });
    writeFileSync(join(dir, "unrelated"), "kept", { mode: 0o600 });
    expect(run().status).toBe(0);
    expect(readdirSync(dir).sort()).toStrictEqual([expect.stringMatching(/^cli-.*\.v8$/), "unrelated"]);
    expect(readdirSync(dir)).not.toContain("cli-0.0.1-v20.0.0-x64-0000000000000000.v8");
  });

  it("is not used from a directory others may write to, or that is another's", () => {
    const dir = defaultDirectory();
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    expect(run()).toStrictEqual({ status: 0, stdout: `${signature}\n`, stderr: "" });
    expect(files(dir)).toStrictEqual([]);
  });

  it("survives a cache that is garbage, and writes a good one in its place", () => {
    expect(run().status).toBe(0);
    const dir = defaultDirectory();
    for (const file of files(dir)) writeFileSync(file, "not a code cache");
    expect(run()).toStrictEqual({ status: 0, stdout: `${signature}\n`, stderr: "" });
    if (!nodeHasOne) for (const file of files(dir)) expect(statSync(file).size).toBeGreaterThan(10_000);
    expect(run()).toStrictEqual({ status: 0, stdout: `${signature}\n`, stderr: "" });
  });

  it("survives a cache damaged in the middle (V8 checks only its header), and writes a good one", () => {
    expect(run().status).toBe(0);
    const dir = defaultDirectory();
    for (const file of files(dir)) {
      const bytes = readFileSync(file);
      for (const at of [bytes.length >> 1, bytes.length >> 2, bytes.length - 8])
        bytes[at] = (bytes[at] as number) ^ 0xff;
      writeFileSync(file, bytes);
    }
    expect(run()).toStrictEqual({ status: 0, stdout: `${signature}\n`, stderr: "" });
    expect(run()).toStrictEqual({ status: 0, stdout: `${signature}\n`, stderr: "" });
  });

  it("goes where NODE_COMPILE_CACHE says, and nowhere with NODE_DISABLE_COMPILE_CACHE", () => {
    const chosen = join(temporary, "chosen");
    mkdirSync(chosen);
    expect(run({ NODE_COMPILE_CACHE: chosen }).stdout).toBe(`${signature}\n`);
    expect(files(chosen).length).toBeGreaterThan(0);
    expect(readdirSync(temporary).sort()).toStrictEqual(["chosen"]);

    rmSync(chosen, { recursive: true });
    expect(run({ NODE_DISABLE_COMPILE_CACHE: "1" })).toStrictEqual({
      status: 0,
      stdout: `${signature}\n`,
      stderr: "",
    });
    expect(readdirSync(temporary)).toStrictEqual([]);
  });
});
