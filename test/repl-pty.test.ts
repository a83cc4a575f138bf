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

async function inTerminal(steps: Step[]): Promise<{ status: number | null; output: string; error: string | null }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    HASH_HELPER_HISTORY: join(dir, "history"),
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
});
