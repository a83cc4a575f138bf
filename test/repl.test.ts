import { createHash, createHmac } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { methods, signature } from "../src/index.ts";
import { parseNow } from "../src/shells/cli/cli.ts";
import { type ReplOptions, startRepl } from "../src/shells/repl/repl.ts";

const NOW = 1_700_000_000; // epoch seconds, 2023-11-14T22:13:20Z
const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*[A-Za-z]`, "g");
const TAB = "\t";
const UP = `${ESC}[A`;
const CTRL_C = "\x03";
const CTRL_U = "\x15";
const CTRL_D = "\x04";

const dir = mkdtempSync(join(tmpdir(), "hash-helper-repl-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Output = PassThrough & { isTTY?: boolean; columns?: number };

/**
 * A REPL on in-memory streams. `type` writes keys and waits until the REPL has answered: a new
 * prompt after them, or the text given.
 */
async function session(options: Partial<ReplOptions> & { outputIsTTY?: boolean } = {}) {
  const input = new PassThrough();
  const output: Output = new PassThrough();
  if (options.outputIsTTY) output.isTTY = true;
  output.columns = 120;
  let text = "";
  output.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const { outputIsTTY: _, ...rest } = options;
  const repl = await startRepl({ input, output, terminal: false, env: {}, historyFile: "", parseNow, ...rest });
  const prompts = () => text.split("hash> ").length - 1;

  return {
    /** Everything shown so far, without terminal escapes. */
    shown: () => text.replace(ANSI, ""),
    raw: () => text,
    async type(keys: string, until?: string | RegExp): Promise<string> {
      const from = text.length;
      const before = prompts();
      // readline completes only on a Tab that ends what it reads at once (a pasted Tab is text).
      for (const chunk of keys.split(/(?<=\t)/)) {
        input.write(chunk);
        await new Promise((resolve) => setImmediate(resolve));
      }
      await waitFor(
        () => {
          const after = text.slice(from).replace(ANSI, "");
          if (until === undefined) return prompts() > before || after.includes("... ");
          return typeof until === "string" ? after.includes(until) : until.test(after);
        },
        () => `waiting for ${String(until ?? "a prompt")} after typing ${JSON.stringify(keys)}; shown:\n${text}`,
      );
      return text.slice(from).replace(ANSI, "");
    },
    /** Writes keys without waiting for an answer. */
    send(keys: string): void {
      input.write(keys);
    },
    closed: repl.closed,
    async close(): Promise<string> {
      input.end();
      await repl.closed;
      return text.replace(ANSI, "");
    },
  };
}

async function waitFor(done: () => boolean, why: () => string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(why());
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** What the REPL printed for one line: the text between the echo of the line and the next prompt. */
function answer(shown: string): string {
  return shown.replace(/hash> $/, "").replace(/\n$/, "");
}

describe("expressions and templates", () => {
  const md5 = createHash("md5").update("abc").digest("hex");
  it.each([
    { input: `hash.append("a").toHex()`, expected: "61" },
    { input: `hash.append("abc").encodeMd5().toHex();`, expected: md5 },
    { input: `  hash.getExpiryTime(240)`, expected: String(NOW + 240) },
    {
      input: `x={hash.append("abc").encodeMd5().toHex().printDigest();}&y=<hash.getExpiryTime(1);>`,
      expected: `x=${md5}&y=${NOW + 1}`,
    },
    { input: `{hash.append("a").encodeBase64().printDigest();}`, expected: "YQ==" },
    { input: `plain text {date.today}`, expected: "plain text {date.today}" },
    { input: `hash.append("a\\nb")`, expected: "a\nb" },
  ])("$input", async ({ input, expected }) => {
    const repl = await session({ now: NOW * 1000 });
    expect(answer(await repl.type(`${input}\n`))).toBe(expected);
    await repl.close();
  });

  it("shows a banner and a prompt, and ends with its input", async () => {
    const repl = await session();
    const shown = await repl.close();
    expect(shown).toMatch(/^hash-helper \d+\.\d+\.\d+: type an expression/);
    expect(shown).toContain(".help");
    expect(shown).toContain("hash> ");
  });

  it("ignores empty lines", async () => {
    const repl = await session();
    expect(answer(await repl.type("\n"))).toBe("");
    expect(answer(await repl.type("   \n"))).toBe("");
  });

  it("reads the secrets it was given", async () => {
    const repl = await session({ secrets: (name) => (name === "api" ? "k" : undefined) });
    const expected = createHmac("sha256", "k").update("m").digest("hex");
    expect(answer(await repl.type(`hash.append("m").encodeHmacSha256(hash.getSecret("api")).toHex()\n`))).toBe(
      expected,
    );
  });
});

describe("errors", () => {
  it("prints the caret display, plain when the output is not a terminal", async () => {
    const repl = await session();
    const shown = answer(await repl.type(`hash.appnd("x")\n`));
    expect(shown.split("\n")).toEqual([
      "error[UNKNOWN_METHOD] unknown method 'appnd'",
      "  --> line 1, column 6",
      '1 | hash.appnd("•")',
      "  |      ^^^^^",
      "  = hint: did you mean append?",
    ]);
    expect(repl.raw()).not.toContain(ESC);
  });

  it.each([
    { env: {}, color: true },
    { env: { NO_COLOR: "1" }, color: false },
  ])("in colour on a terminal unless NO_COLOR: $env", async ({ env, color }) => {
    const repl = await session({ outputIsTTY: true, env });
    const shown = await repl.type(`hash.appnd("x")\n`, "hint");
    expect(shown).toContain("error[UNKNOWN_METHOD]");
    const raw = repl.raw();
    expect(raw.slice(raw.indexOf("UNKNOWN") - 10).includes(`${ESC}[31m`)).toBe(color);
  });

  it("masks a key in the source line", async () => {
    const repl = await session();
    const shown = await repl.type(`hash.append("x").encodeHmacSha265("my-key").toHex()\n`);
    expect(shown).toContain('1 | hash.append("•").encodeHmacSha265("••••••").toHex()');
    expect(shown).not.toContain("my-key");
  });

  it("goes on after an error", async () => {
    const repl = await session();
    await repl.type(`hash.appnd("x")\n`);
    expect(answer(await repl.type(`hash.append("b").toHex()\n`))).toBe("62");
  });
});

describe("input over several lines", () => {
  it("goes on while a block is open", async () => {
    const repl = await session();
    expect(await repl.type(`{hash.append("a")\n`)).toBe("... ");
    expect(answer(await repl.type(`.toHex().printDigest();}\n`))).toBe("61");
  });

  it("goes on while a call is open", async () => {
    const repl = await session();
    expect(await repl.type(`hash.append(\n`)).toBe("... ");
    expect(await repl.type(`"a",\n`)).toBe("... ");
    // `hash.append("a",` then `)` is an error, not more input.
    const shown = await repl.type(`)\n`);
    expect(shown).toMatch(/error\[(SYNTAX_ERROR|ARGUMENT_COUNT)\]/);
  });

  it("reads a line break inside a string as \\n", async () => {
    const repl = await session();
    expect(await repl.type(`hash.append("first\n`)).toBe("... ");
    expect(answer(await repl.type(`second").toHex()\n`))).toBe(Buffer.from("first\nsecond").toString("hex"));
  });

  it("gives up on an empty line, with the error", async () => {
    const repl = await session();
    expect(await repl.type(`hash.append("a").\n`)).toBe("... ");
    expect(await repl.type("\n")).toContain("error[SYNTAX_ERROR]");
    expect(answer(await repl.type(`hash.append("c").toHex()\n`))).toBe("63");
  });

  it("does not wait for more after a complete mistake", async () => {
    const repl = await session();
    expect(await repl.type(`x={hash.append("a").printDigest(); y\n`)).toContain("error[UNCLOSED_BLOCK]");
    expect(await repl.type(`hash.append("a").encodeMd5()\n`)).toContain("error[RESULT_KIND]");
  });
});

describe("commands", () => {
  it(".now freezes the clock and .now alone unfreezes it", async () => {
    const repl = await session();
    expect(await repl.type(`.now ${NOW}\n`)).toContain("frozen at 2023-11-14T22:13:20.000Z");
    expect(answer(await repl.type("hash.getExpiryTime(60)\n"))).toBe(String(NOW + 60));
    await repl.type(".now 2024-01-02T03:04:05Z\n");
    expect(answer(await repl.type("hash.getExpiryTime(0)\n"))).toBe(String(Date.UTC(2024, 0, 2, 3, 4, 5) / 1000));
    expect(await repl.type(".now\n")).toContain("follows the system time");
    const before = Math.floor(Date.now() / 1000);
    const value = Number(answer(await repl.type("hash.getExpiryTime(0)\n")));
    expect(value).toBeGreaterThanOrEqual(before);
    expect(value).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it(".now says what it could not read, naming itself", async () => {
    const repl = await session();
    const shown = await repl.type(".now yesterday\n");
    expect(shown).toContain(".now: expected epoch seconds");
    expect(shown).not.toContain("--now");
  });

  it(".explain on shows the steps before the value, .explain off stops", async () => {
    const repl = await session({ now: NOW * 1000 });
    expect(await repl.type(".explain on\n")).toContain("explain is on");
    const shown = answer(await repl.type(`hash.append("a").appendNewLine().encodeHmacSha1("key").toHex()\n`));
    const mac = createHmac("sha1", "key").update("a\n").digest("hex");
    expect(shown).toContain(`clock 2023-11-14T22:13:20.000Z`);
    expect(shown).toMatch(/\.appendNewLine\(\) +text +"a⏎" \(2 chars\)/);
    expect(shown).toMatch(/key = "••••••" +text +•••••• \(3 chars\)/);
    expect(shown.endsWith(`\n${mac}`)).toBe(true);
    await repl.type(".explain off\n");
    expect(answer(await repl.type(`hash.append("a").toHex()\n`))).toBe("61");
  });

  it(".secret NAME reads a value, keeps it for the session and never shows it", async () => {
    const repl = await session();
    expect(await repl.type(".secret api\n", "(not shown): ")).toContain("value of secret 'api'");
    expect(await repl.type("hunter2\n")).toContain("secret 'api' set (7 chars)");
    const expected = createHmac("sha256", "hunter2").update("m").digest("hex");
    expect(answer(await repl.type(`hash.append("m").encodeHmacSha256(hash.getSecret("api")).toHex()\n`))).toBe(
      expected,
    );
    expect(await repl.type(".secret\n")).toContain("secrets set: api");
    const shown = await repl.close();
    expect(shown).not.toContain("hunter2");
  });

  it(".secret wins over the secrets the REPL was given", async () => {
    const repl = await session({ secrets: () => "from-cli" });
    expect(answer(await repl.type(`hash.getSecret("api")\n`))).toBe("from-cli");
    await repl.type(".secret api\n", "(not shown): ");
    await repl.type("typed\n");
    expect(answer(await repl.type(`hash.getSecret("api")\n`))).toBe("typed");
  });

  it(".help lists the commands and every method with its summary", async () => {
    const repl = await session();
    const shown = await repl.type(".help\n");
    // Its own commands, and none of node:repl's for JavaScript (.editor, .load, .save).
    const commands = [...shown.matchAll(/^ {2}(\.\w+) /gm)].map((m) => m[1]);
    expect(commands).toEqual([".break", ".clear", ".exit", ".explain", ".help", ".now", ".secret"]);
    for (const method of methods.values()) {
      expect(shown).toMatch(new RegExp(`^  ${escapeRegExp(signature(method))} +${escapeRegExp(method.summary)}$`, "m"));
    }
  });

  it(".break drops an input typed over several lines", async () => {
    const repl = await session();
    expect(await repl.type(`{hash.append("a")\n`)).toBe("... ");
    expect(answer(await repl.type(".break\n"))).toBe("");
    expect(answer(await repl.type(`hash.append("b").toHex()\n`))).toBe("62");
  });

  it(".exit ends the REPL", async () => {
    const repl = await session();
    repl.send(".exit\n");
    await repl.closed;
  });

  it("refuses an unknown command without showing it, and goes on", async () => {
    const repl = await session();
    const shown = await repl.type(`.append("my-key")\n`);
    expect(shown).toContain("unknown command");
    expect(shown).not.toContain("my-key");
    expect(answer(await repl.type(`hash.append("b").toHex()\n`))).toBe("62");
  });

  it(".clear forgets the session", async () => {
    const repl = await session();
    await repl.type(`.now ${NOW}\n`);
    await repl.type(".secret api\n", "(not shown): ");
    await repl.type("x\n");
    await repl.type(".clear\n");
    expect(await repl.type(`hash.getSecret("api")\n`)).toContain("error[MISSING_SECRET]");
    expect(Number(answer(await repl.type("hash.getExpiryTime(0)\n")))).toBeGreaterThan(NOW);
  });
});

describe("on a terminal", () => {
  const terminal = (options: Partial<ReplOptions> = {}) => session({ terminal: true, ...options });

  it("completes a method name after a dot, and a second Tab shows its signature and summary", async () => {
    const repl = await terminal();
    await repl.type(`hash.append("a").appendN${TAB}`, 'hash.append("a").appendNewLine');
    const shown = await repl.type(TAB, "Append a line feed");
    expect(shown).toContain(`appendNewLine()  ${methods.get("appendNewLine")?.summary}`);
    await repl.type(`()${CTRL_U}`, "hash> ");
  });

  it("lists the methods that start alike, with their summaries, on a second Tab", async () => {
    const repl = await terminal();
    await repl.type(`hash.encodeHm${TAB}`, "hash.encodeHmac");
    const shown = await repl.type(TAB, "HMAC-SHA256");
    for (const name of ["encodeHmacSha1", "encodeHmacSha256"]) {
      const method = methods.get(name);
      expect(shown).toMatch(
        new RegExp(`^${escapeRegExp(signature(method as never))} +${escapeRegExp(method?.summary ?? "")}`, "m"),
      );
    }
    expect(shown).not.toContain("encodeMd5");
    // The line is drawn again as it was.
    expect(shown.trimEnd().endsWith("hash> hash.encodeHmac")).toBe(true);
  });

  it("completes every method after hash., and hash. itself", async () => {
    const repl = await terminal();
    await repl.type(`ha${TAB}`, "hash.");
    const shown = await repl.type(`${TAB}${TAB}`, "getExpiryTime");
    for (const method of methods.values()) expect(shown).toContain(signature(method));
  });

  it("does not complete inside a string", async () => {
    const repl = await terminal();
    await repl.type(`hash.append("x.app${TAB}${TAB}`, 'hash.append("x.app');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(repl.shown()).not.toContain("appendNewLine");
  });

  it("completes the commands", async () => {
    const repl = await terminal();
    await repl.type(`.sec${TAB}`, ".secret");
    await repl.type(`${CTRL_U}.ex${TAB}${TAB}`, ".explain");
    expect(repl.shown()).toMatch(/\.exit\s+\.explain/);
  });

  it("evaluates what is typed, with line editing", async () => {
    const repl = await terminal({ now: NOW * 1000 });
    const shown = await repl.type(`hash.getExpiryTime(1)\r`, `${NOW + 1}`);
    expect(shown).toContain(`${NOW + 1}`);
  });

  it("reads .secret without echo, and Ctrl+C leaves the secret as it was", async () => {
    const repl = await terminal();
    await repl.type(".secret api\r", "(not shown): ");
    await repl.type("hunter2\r", "set (7 chars)");
    await repl.type(".secret api\r", "(not shown): ");
    await repl.type(`xyz${CTRL_C}`, "not changed");
    expect(repl.raw()).not.toContain("hunter2");
    expect(repl.raw()).not.toContain("xyz");
    expect(answer(await repl.type(`hash.getSecret("api")\r`, "hunter2"))).toContain("hunter2");
  });

  it("keeps the secret typed after .secret out of what Up recalls", async () => {
    const repl = await terminal();
    await repl.type(`hash.append("a").toHex()\r`, "61");
    await repl.type(".secret api\r", "(not shown): ");
    await repl.type("hunter2\r", "set (7 chars)");
    await repl.type(UP, ".secret api");
    await repl.type(UP, 'hash.append("a").toHex()');
    expect(repl.raw()).not.toContain("hunter2");
  });

  it("drops what is typed on Ctrl+C, a line or an input over several lines", async () => {
    const repl = await terminal();
    await repl.type(`hash.append("a").toH${CTRL_C}`, "hash> ");
    expect(answer(await repl.type(`hash.append("b").toHex()\r`, "62"))).toMatch(/\n62$/);
    await repl.type(`{hash.append("a")\r`, "... ");
    await repl.type(CTRL_C, "hash> ");
    const shown = await repl.type(`hash.append("c").toHex()\r`, "63");
    expect(shown).not.toContain("error");
    expect(repl.shown()).not.toContain("To exit");
  });

  it("says how to quit on Ctrl+C at an empty prompt, and quits on a second one", async () => {
    const repl = await terminal();
    await repl.type(CTRL_C, "To exit, press Ctrl+C again");
    repl.send(CTRL_C);
    await repl.closed;
  });

  it("quits on Ctrl+D at an empty prompt", async () => {
    const repl = await terminal();
    repl.send(CTRL_D);
    await repl.closed;
  });

  it("counts the Ctrl+C that cancels the secret prompt as no Ctrl+C at an empty prompt", async () => {
    const repl = await terminal();
    await repl.type(".secret api\r", "(not shown): ");
    expect(await repl.type(`xyz${CTRL_C}`, "hash> ")).not.toContain("To exit");
    await repl.type(CTRL_C, "To exit");
    expect(answer(await repl.type(`hash.append("a").toHex()\r`, "61"))).toMatch(/\n61$/);
  });

  it("shows literals in errors with revealSecrets, and still masks them in the history", async () => {
    const file = join(dir, "revealed");
    const repl = await terminal({ historyFile: file, revealSecrets: true });
    const typed = `hash.append("x").encodeHmacSha265("my-key").toHex()`;
    expect(await repl.type(`${typed}\r`, "hint")).toContain(`1 | ${typed}`);
    await repl.close();
    expect(readFileSync(file, "utf8")).toBe(`hash.append("•").encodeHmacSha265("••••••").toHex()\n`);
  });

  it("keeps a history file, keys masked, secrets out, and reads it back", async () => {
    const file = join(dir, "history");
    const first = await terminal({ historyFile: file });
    await first.type(`hash.append("a").encodeHmacSha1("my-key").toHex()\r`, "hash> ");
    await first.type(`{hash.append("x")\r`, "... ");
    await first.type(`.encodeHmacSha256("other-key").toHex().printDigest();}\r`, "hash> ");
    await first.type(".secret api\r", "(not shown): ");
    await first.type("hunter2\r", "set");
    await first.close();
    const saved = readFileSync(file, "utf8");
    expect(saved).toBe(
      [
        `hash.append("•").encodeHmacSha1("••••••").toHex()`,
        `{hash.append("•") .encodeHmacSha256("•••••••••").toHex().printDigest();}`,
        ".secret api",
        "",
      ].join("\n"),
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const second = await terminal({ historyFile: file });
    const recalled = await second.type(UP, ".secret api");
    expect(recalled).toContain(".secret api");
    await second.type(UP, "encodeHmacSha256");
  });

  it("takes the history file from HASH_HELPER_HISTORY", async () => {
    const file = join(dir, "from-env");
    writeFileSync(file, 'hash.append("old").toHex()\n');
    const repl = await terminal({ historyFile: undefined, env: { HASH_HELPER_HISTORY: file } });
    expect(await repl.type(UP, 'hash.append("old")')).toContain('hash.append("old").toHex()');
    await repl.type("\r", "hash> ");
    await repl.close();
    // An entry of an older version, unmasked, is saved again masked.
    expect(readFileSync(file, "utf8")).toBe('hash.append("old").toHex()\nhash.append("•••").toHex()\n');
  });

  it("keeps names readable in the history, and refuses a recalled mask as a key", async () => {
    const file = join(dir, "names");
    const typed = `hash.append("data").encodeHmacSha256(hash.getSecret("moz")).append(hash.getRequestHeader("Date")).toHex()`;
    const first = await terminal({ historyFile: file, secrets: () => "k" });
    await first.type(`${typed}\r`, "hash> ");
    await first.type(`hash.append("m").encodeHmacSha256("key").toHex()\r`, "hash> ");
    await first.close();
    expect(readFileSync(file, "utf8")).toBe(
      [
        `hash.append("••••").encodeHmacSha256(hash.getSecret("moz")).append(hash.getRequestHeader("Date")).toHex()`,
        `hash.append("•").encodeHmacSha256("•••").toHex()`,
        "",
      ].join("\n"),
    );

    const second = await terminal({ historyFile: file });
    await second.type(UP, 'encodeHmacSha256("•••")');
    expect(await second.type("\r", "hint")).toContain("error[MASKED_LITERAL]");
  });

  it("writes the history file for its owner alone, even one that was readable by all", async () => {
    const file = join(dir, "was-0644");
    writeFileSync(file, "");
    chmodSync(file, 0o644);
    const repl = await terminal({ historyFile: file });
    await repl.type(`hash.append("a").toHex()\r`, "hash> ");
    await repl.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toBe(`hash.append("•").toHex()\n`);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
