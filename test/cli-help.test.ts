import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { methods } from "../src/index.ts";
import { help, type Io, main } from "../src/shells/cli/cli.ts";
import { COMMANDS, FLAGS, takes } from "../src/shells/cli/commands.ts";
import { completionScript } from "../src/shells/cli/completion.ts";

const dir = mkdtempSync(join(tmpdir(), "hash-helper-help-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = new URL("..", import.meta.url).pathname;
const cli = join(root, "dist/cli.cjs");

async function run(argv: string[], stdin?: string) {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    stdout: { write: (t) => (stdout += t) },
    stderr: { write: (t) => (stderr += t) },
    readStdin: async () => stdin ?? "",
    stdinIsTTY: stdin === undefined,
    stderrIsTTY: false,
    env: {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const USAGE = /^hash-helper: [^\n]+\nTry 'hash-helper --help'\.\n$/;

describe("help", () => {
  it.each(COMMANDS.map((c) => c.name))(
    "%s --help and help %s show that command's flags only, with an example",
    async (name) => {
      const viaFlag = await run([name, "--help"]);
      const viaHelp = await run(["help", name]);
      expect(viaFlag).toEqual({ code: 0, stdout: help(name), stderr: "" });
      expect(viaHelp).toEqual(viaFlag);
      const text = viaFlag.stdout;
      expect(text).toMatch(new RegExp(`^Usage: hash-helper (\\[)?${name}`));
      expect(text).toMatch(/\nExamples?:\n {2}\S/);
      for (const flag of FLAGS) {
        const shown = new RegExp(`^ {2}(-\\w, )?--${flag.name}\\b`, "m").test(text);
        expect(shown, `--${flag.name} in ${name}'s help`).toBe(takes(flag, name));
      }
    },
  );

  it("sign's help holds -X, -H and --data, and not fetch's --timeout", () => {
    const text = help("sign");
    for (const flag of ["-X, --request", "-H, --header", "--data", "--name"]) expect(text).toContain(flag);
    for (const flag of ["--timeout", "-L, --location", "-i, --include"]) expect(text).not.toContain(flag);
  });

  it("the usage line lists every command", () => {
    const first = help().split("\n")[0] ?? "";
    for (const c of COMMANDS) expect(first).toContain(c.name);
  });

  it("the whole help names every flag", () => {
    for (const flag of FLAGS) expect(help()).toContain(`--${flag.name}`);
  });
});

describe("did you mean", () => {
  it.each([
    { argv: ["sing", "x"], message: /unknown command: did you mean 'sign'\?/ },
    { argv: ["fecth", "x"], message: /did you mean 'fetch'\?/ },
    { argv: ["lnit", "x"], message: /did you mean 'lint'\?/ },
    { argv: ["help", "expnad"], message: /did you mean 'expand'\?/ },
    { argv: ["fetch", "--tiemout", "3", "x"], message: /unknown option '--tiemout': did you mean --timeout\?/ },
    { argv: ["sign", "--hedaer=A: b", "x"], message: /unknown option '--hedaer': did you mean --header\?/ },
    { argv: ["expand", "--secretsfile", "f", "x"], message: /did you mean --secrets-file\?/ },
    { argv: ["fetch", "-l", "x"], message: /unknown option '-l': did you mean -L\?/ },
    { argv: ["sign", "-x", "GET", "x"], message: /unknown option '-x': did you mean -X\?/ },
    { argv: ["sign", "-S", "x"], message: /^hash-helper: unknown option '-S'\n/ },
    { argv: ["sign", "--zzzzzzzz", "x"], message: /^hash-helper: unknown option '--zzzzzzzz'\n/ },
  ])("$argv.0 $argv.1", async ({ argv, message }) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(USAGE);
    expect(r.stderr).toMatch(message);
  });

  it("does not echo the value of a mistyped flag", async () => {
    const r = await run(["eval", "--secrt=SUPERSECRET-value", "x"]);
    expect(r.stderr).toMatch(/unknown option '--secrt': did you mean --secret\?/);
    expect(r.stderr).not.toContain("SUPERSECRET");
  });

  it("does not echo an unknown command, which may be a template with its key", async () => {
    const r = await run(['{hash.append("x").encodeHmacSha1("s3cret-key").printDigest();}']);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("s3cret");
    expect(r.stderr).toMatch(
      /unknown command: the commands are expand, eval, sign, fetch, lint, repl, completion, help/,
    );
  });
});

describe("templates from files and standard input", () => {
  it.each([
    { command: "expand", text: "a={hash.getExpiryTime(5);}\n", expected: "a=5\n" },
    { command: "eval", text: "hash.getExpiryTime(7)\n", expected: "7\n" },
  ])("$command @FILE reads the file, less one trailing newline", async ({ command, text, expected }) => {
    const file = join(dir, `${command}.txt`);
    writeFileSync(file, text);
    expect(await run([command, "--now", "0", `@${file}`])).toEqual({ code: 0, stdout: expected, stderr: "" });
  });

  it.each([
    { why: "a missing @FILE", argv: ["expand", `@${join(dir, "nope.txt")}`], message: /nope\.txt: no such file$/m },
    { why: "an empty @FILE", argv: ["expand", `@${join(dir, "empty.txt")}`], message: /empty\.txt is empty/ },
    { why: "empty standard input", argv: ["expand", "-"], stdin: "", message: /standard input is empty/ },
    { why: "a lone newline", argv: ["expand"], stdin: "\n", message: /standard input is empty/ },
    { why: "empty input to eval", argv: ["eval", "-"], stdin: "\r\n", message: /no expression to read/ },
  ])("$why is a usage error", async ({ argv, stdin, message }) => {
    writeFileSync(join(dir, "empty.txt"), "");
    const r = await run(argv, stdin);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(USAGE);
    expect(r.stderr).toMatch(message);
  });
});

describe("--secrets-file reads as util.parseEnv does", () => {
  it.each([
    { text: `k="multi\nline "quoted" key"\n`, name: "a multi-line double-quoted value" },
    { text: "# comment\nexport k=plain # trailing comment\n", name: "export and a comment" },
    { text: "k='single # not a comment'\n", name: "single quotes" },
    { text: 'k="a\\nb"\n', name: "an escaped newline" },
  ])("$name gives the key Node gives", async ({ text }) => {
    const file = join(dir, "s.env");
    writeFileSync(file, text);
    const r = await run(["eval", "--reveal-secrets", "--secrets-file", file, 'hash.getSecret("k")']);
    expect(r).toEqual({ code: 0, stdout: `${parseEnv(text).k}\n`, stderr: "" });
  });

  it("a line it cannot read names the line, not its value; a missing file is one line", async () => {
    const file = join(dir, "bad.env");
    writeFileSync(file, "ok=1\nTHE-s3cret-VALUE\n");
    const bad = await run(["eval", "--secrets-file", file, "hash.getExpiryTime(0)"]);
    expect(bad.stderr).toMatch(/bad\.env: line 2 is not NAME=value\n/);
    expect(bad.stderr).not.toContain("s3cret");
    const missing = await run(["eval", "--secrets-file", join(dir, "none.env"), "hash.getExpiryTime(0)"]);
    expect(missing.stderr).toBe(
      `hash-helper: --secrets-file ${join(dir, "none.env")}: no such file\nTry 'hash-helper --help'.\n`,
    );
  });
});

describe("completion", () => {
  it.each(["bash", "zsh", "fish"])("completion %s prints a script naming every command and method", async (shell) => {
    const r = await run(["completion", shell]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(completionScript(shell));
    for (const c of COMMANDS) expect(r.stdout).toContain(c.name);
    for (const name of methods.keys()) expect(r.stdout).toContain(name);
  });

  it.each([{ argv: ["completion"] }, { argv: ["completion", "tcsh"] }])("$argv is a usage error", async ({ argv }) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bash, zsh or fish/);
  });

  /** What the bash script completes for the words of a command line, the last being completed. */
  const complete = (words: string[]) => {
    const script = completionScript("bash") ?? "";
    const program = [
      script,
      `COMP_WORDS=(${words.map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ")})`,
      `COMP_CWORD=${words.length - 1}`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own expansions
      '_hash_helper hash-helper "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's own expansions
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join("\n");
    const r = spawnSync("bash", ["--norc", "--noprofile", "-c", program], { encoding: "utf8", cwd: dir });
    expect(r.stderr).toBe("");
    return r.stdout.split("\n").filter((l) => l !== "");
  };

  it.each([
    { words: ["hash-helper", "si"], expected: ["sign"] },
    { words: ["hash-helper", "e"], expected: ["expand", "eval"] },
    { words: ["hash-helper", "fetch", "--ti"], expected: ["--timeout"] },
    { words: ["hash-helper", "sign", "--ti"], expected: [] },
    { words: ["hash-helper", "fetch", "-L", "--loc"], expected: ["--location"] },
    { words: ["hash-helper", "--now", "0", "expand", "--no"], expected: ["--now", "--nonce", "--no-color"] },
    { words: ["hash-helper", "completion", "z"], expected: ["zsh"] },
    { words: ["hash-helper", "help", "li"], expected: ["lint"] },
    // Inside an open quote, one match comes twice, the second with a space, so that readline
    // leaves the quote open (a real bash in a terminal: test/cli-completion.test.ts).
    {
      words: ["hash-helper", "expand", "'{hash.encodeHmacSha2"],
      expected: ["{hash.encodeHmacSha256(", "{hash.encodeHmacSha256( "],
    },
    {
      words: ["hash-helper", "expand", '\'x={hash.append("a").toH'],
      expected: ['x={hash.append("a").toHex()', 'x={hash.append("a").toHex() '],
    },
    { words: ["hash-helper", "expand", "{hash.encodeHmacSha2"], expected: ["{hash.encodeHmacSha256("] },
    { words: ["hash-helper", "eval", "hash.getExp"], expected: ["hash.getExpiryTime("] },
    { words: ["hash-helper", "eval", 'hash.append("x").getExp'], expected: [] },
  ])("bash: $words", ({ words, expected }) => {
    expect(complete(words).sort()).toEqual([...expected].sort());
  });

  it("the bash script parses, and names the flags each command takes", () => {
    const r = spawnSync("bash", ["-n"], { input: completionScript("bash"), encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(complete(["hash-helper", "lint", "--"])).toEqual(
      expect.arrayContaining(["--request", "--json", "--secrets-file", "--name"]),
    );
  });

  for (const shell of ["zsh", "fish"]) {
    const found = spawnSync("sh", ["-c", `command -v ${shell}`]).status === 0;
    it.skipIf(!found)(`the ${shell} script parses (${found ? "" : `skipped: ${shell} is not installed`})`, () => {
      // From a file: fish -n does not read a script from standard input.
      const path = join(dir, `completion.${shell}`);
      writeFileSync(path, completionScript(shell) ?? "");
      const r = spawnSync(shell, ["-n", path], { encoding: "utf8" });
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    });
  }
});

describe("the built binary", () => {
  it("prints sign's help", () => {
    const r = spawnSync(process.execPath, [cli, "sign", "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(help("sign"));
  });
});
