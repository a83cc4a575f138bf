import { execFile, spawnSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { methods } from "../src/index.ts";

// The REPL once through a real pseudo-terminal: `hash-helper` with no arguments, as a person
// starts it. Python's pty module provides the terminal (test/pty-session.py), so no native
// Node module is needed; dist/cli.cjs is built by the global setup.
const root = fileURLToPath(new URL("..", import.meta.url));
const python = spawnSync("python3", ["--version"]).status === 0;
const dir = mkdtempSync(join(tmpdir(), "hash-helper-pty-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Step = { send: string } | { expect: string };

async function inTerminal(
  steps: Step[],
  history = join(dir, "history"),
): Promise<{ status: number | null; output: string; error: string | null }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    HASH_HELPER_HISTORY: history,
    TERM: "xterm",
  };
  delete env.NO_COLOR;
  delete env.HASH_HELPER_DEBUG;
  const { stdout } = await promisify(execFile)(
    "python3",
    [join(root, "test/pty-session.py"), JSON.stringify(steps), process.execPath, join(root, "dist/cli.cjs")],
    { env, timeout: 30_000 },
  );
  return JSON.parse(stdout);
}

describe.skipIf(!python)("the REPL in a pseudo-terminal", () => {
  it("evaluates, completes, explains, reads a secret unseen, shows errors in colour", async () => {
    const md5 = createHash("md5").update("abc").digest("hex");
    const mac = createHmac("sha256", "hunter2").update("m").digest("hex");
    const { status, output, error } = await inTerminal([
      { expect: "hash> " },
      { send: `hash.append("abc").encodeMd5().toHex()\r` },
      { expect: md5 },
      { send: "hash.appendN" },
      { send: "\t" },
      { expect: "appendNewLine" },
      { send: "\t" },
      { expect: methods.get("appendNewLine")?.summary ?? "?" },
      { send: "\x15" }, // Ctrl+U clears the line
      { send: ".now 1700000000\r" },
      { expect: "frozen" },
      { send: ".explain on\r" },
      { expect: "explain is on" },
      { send: "hash.getExpiryTime(60)\r" },
      { expect: "→ output" },
      { expect: "hash> " },
      { send: ".explain off\r" },
      { expect: "explain is off" },
      { send: ".secret api\r" },
      { expect: "(not shown): " },
      { send: "hunter2\r" },
      { expect: "set (7 chars)" },
      { send: `hash.append("m").encodeHmacSha256(hash.getSecret("api")).toHex()\r` },
      { expect: mac },
      { send: `hash.appnd("x")\r` },
      { expect: "hint" },
      { send: ".exit\r" },
    ]);
    expect(error).toBeNull();
    expect(status).toBe(0);
    expect(output).toContain(`\r\n${md5}\r\n`);
    expect(output).toContain("1700000060");
    expect(output).toContain(`\x1b[31merror[UNKNOWN_METHOD]\x1b[0m`);
    expect(output).not.toContain("hunter2");
    // Literals masked, names kept.
    const history = readFileSync(join(dir, "history"), "utf8");
    expect(history).toContain(`hash.append("•••").encodeMd5().toHex()\n`);
    expect(history).toContain(`hash.append("•").encodeHmacSha256(hash.getSecret("api")).toHex()\n`);
  }, 40_000);

  it("drops what is typed on Ctrl+C, cancels the secret prompt with it, and ends on Ctrl+D", async () => {
    const { status, output, error } = await inTerminal([
      { expect: "hash> " },
      { send: `{hash.append("a")\r` },
      { expect: "... " },
      { send: "\x03" },
      { expect: "hash> " },
      { send: `hash.append("b").toHex()\r` },
      { expect: "62" },
      { send: ".secret k\r" },
      { expect: "(not shown): " },
      { send: "s3cr3t" },
      { send: "\x03" },
      { expect: "not changed" },
      { expect: "hash> " },
      { send: "\x04" },
    ]);
    expect(error).toBeNull();
    expect(status).toBe(0);
    expect(output).not.toContain("s3cr3t");
    expect(output).not.toContain("error[");
    // A Ctrl+C that cancelled the secret prompt is not the first of two that quit.
    expect(output).not.toContain("To exit");
  }, 40_000);

  it("completes with the ( that makes the text parse, and the commands", async () => {
    const mac = createHmac("sha256", "k").update("m").digest("hex");
    const { status, output, error } = await inTerminal(
      [
        { expect: "hash> " },
        { send: `hash.append("a").toHe` },
        { send: "\t" },
        { expect: "toHex()" },
        { send: "\r" },
        { expect: "61" },
        { send: `hash.append("m").encodeHmacSha25` },
        { send: "\t" },
        { expect: "encodeHmacSha256(" },
        { send: `"k").toHex()\r` },
        { expect: mac },
        { send: ".he" },
        { send: "\t" },
        { expect: ".help" },
        { send: "\r" },
        { expect: "Commands:" },
        { send: ".lnit\r" },
        { expect: "did you mean .lint?" },
        { send: ".exit\r" },
      ],
      join(dir, "completion-history"),
    );
    expect(error).toBeNull();
    expect(status).toBe(0);
    expect(output).toContain("\r\n61\r\n");
    expect(output).not.toContain("error[");
  }, 40_000);

  it("masks a key in the history file, and refuses it recalled, saying why", async () => {
    const history = join(dir, "key-history");
    const key = "pty-literal-key-31";
    const mac = createHmac("sha1", key).update("m").digest("hex");
    const first = await inTerminal(
      [
        { expect: "hash> " },
        { send: `hash.append("m").encodeHmacSha1("${key}").toHex()\r` },
        { expect: mac },
        { send: `hash.append(hash.getSecret("api")).toHex()\r` },
        { expect: "MISSING_SECRET" },
        { send: ".exit\r" },
      ],
      history,
    );
    expect(first).toMatchObject({ error: null });
    const saved = readFileSync(history, "utf8");
    expect(saved).not.toContain(key);
    expect(saved).toBe(
      `hash.append("•").encodeHmacSha1("${"•".repeat(key.length)}").toHex()\nhash.append(hash.getSecret("api")).toHex()\n`,
    );

    const second = await inTerminal(
      [
        { expect: "hash> " },
        { send: "\x1b[A\x1b[A" }, // Up twice: the line with the key
        { expect: "encodeHmacSha1(" },
        { send: "\r" },
        { expect: "this key was masked in history: type it again, or use .secret" },
        { expect: "hash> " },
        { send: "\x04" },
      ],
      history,
    );
    expect(second).toMatchObject({ error: null });
    expect(second.status).toBe(0);
    expect(second.output).not.toContain(key);
    expect(second.output).not.toMatch(/\r\n[0-9a-f]{40}\r\n/);
  }, 40_000);
});
