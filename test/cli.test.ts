import { spawn as spawnAsync, spawnSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { help, type Io, main, parseNow } from "../src/shells/cli/cli.ts";

const HELP = help();

const root = fileURLToPath(new URL("..", import.meta.url));
const cliJs = join(root, "dist/cli.cjs");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };

// The Moz example of the README's quick start (Klipfolio's, over https, signing the access ID it sends).
const ACCESS_ID = "mozscape-b6838361ee";
const SECRET = "0123456789abcdef0123456789abcdef";
const MOZ_PREFIX = `https://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2fblog?Cols=4&AccessID=${ACCESS_ID}&Expires=`;
const MOZ =
  `${MOZ_PREFIX}{hash.getExpiryTime(240);}&Signature={hash.append("${ACCESS_ID}").appendNewLine()` +
  `.append(hash.getExpiryTime(240)).encodeHmacSha1("${SECRET}").encodeBase64().encodeURL().printDigest();}`;

// RFC 3986 §2.3: everything but the unreserved characters is percent-encoded; encodeURIComponent
// leaves !'()* as they are.
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The Moz URL signed at `nowSeconds`, computed by hand with node:crypto. */
function mozExpected(nowSeconds: number): string {
  const expires = String(Math.floor(nowSeconds) + 240);
  const signature = createHmac("sha1", SECRET).update(`${ACCESS_ID}\n${expires}`).digest("base64");
  return `${MOZ_PREFIX}${expires}&Signature=${rfc3986(signature)}`;
}

const NOW = 1_700_000_000; // 2023-11-14T22:13:20Z

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  stdinReads: number;
}

interface FakeIo {
  stdin?: string | Error;
  stdinIsTTY?: boolean;
  stderrIsTTY?: boolean;
  env?: Record<string, string>;
  /** What the REPL reads: given, stdin and stdout are streams, and stdout collects both. */
  replInput?: string;
}

async function run(argv: string[], fake: FakeIo = {}): Promise<Run> {
  let stdout = "";
  let stderr = "";
  let stdinReads = 0;
  const io: Io = {
    stdout: { write: (text) => (stdout += text) },
    stderr: { write: (text) => (stderr += text) },
    readStdin: async () => {
      stdinReads++;
      if (fake.stdin instanceof Error) throw fake.stdin;
      return fake.stdin ?? "";
    },
    stdinIsTTY: fake.stdinIsTTY ?? fake.stdin === undefined,
    stderrIsTTY: fake.stderrIsTTY ?? false,
    env: fake.env ?? {},
  };
  if (fake.replInput !== undefined) {
    const input = new PassThrough();
    const output = new PassThrough();
    output.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    input.end(fake.replInput);
    io.stdin = input;
    io.stdoutStream = output;
  }
  const code = await main(argv, io);
  return { code, stdout, stderr, stdinReads };
}

const USAGE_STDERR = /^hash-helper: [^\n]+\nTry 'hash-helper --help'\.\n$/;
const STACK_LINE = /^\s+at /m;
const ANSI = "\x1b[";

describe("expand", () => {
  it.each([
    { now: "1700000000" },
    { now: "2023-11-14T22:13:20Z" },
    { now: "2023-11-14t22:13:20z" },
    { now: "2023-11-14T22:13:20.999Z" },
    { now: "2023-11-14T22:13:20,5Z" },
    { now: "2023-11-15T00:13:20+02:00" },
    { now: "2023-11-15T00:13:20+0200" },
    { now: "2023-11-14T17:13:20-05:00" },
    { now: "2023-11-14T22:13:20+00" },
  ])("signs the Moz URL at --now $now", async ({ now }) => {
    expect(await run(["expand", "--now", now, MOZ])).toEqual({
      code: 0,
      stdout: `${mozExpected(NOW)}\n`,
      stderr: "",
      stdinReads: 0,
    });
  });

  it.each([
    { argv: ["expand", `--now=${NOW}`, MOZ] },
    { argv: ["expand", MOZ, "--now", String(NOW)] },
    { argv: ["--now", String(NOW), "expand", MOZ] },
    { argv: ["expand", "--now", String(NOW), "--", MOZ] },
  ])("accepts the options anywhere: $argv.0 $argv.1", async ({ argv }) => {
    const r = await run(argv);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${mozExpected(NOW)}\n`);
  });

  it("reads a date as its midnight UTC", async () => {
    const r = await run(["expand", "--now", "2023-11-14", MOZ]);
    expect(r.stdout).toBe(`${mozExpected(Date.UTC(2023, 10, 14) / 1000)}\n`);
  });

  it("reads a leap day", async () => {
    const r = await run(["expand", "--now", "2024-02-29T00:00:00Z", MOZ]);
    expect(r.stdout).toBe(`${mozExpected(Date.UTC(2024, 1, 29) / 1000)}\n`);
  });

  it("reads the clock when there is no --now", async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await run(["expand", MOZ]);
    const after = Math.floor(Date.now() / 1000);
    expect([mozExpected(before), mozExpected(after)]).toContain(r.stdout.slice(0, -1));
  });

  it("keeps text without blocks byte for byte", async () => {
    const text = "https://example.com/a%2Fb?x=1&y= z\t\u00e9";
    expect((await run(["expand", text])).stdout).toBe(`${text}\n`);
  });

  it("takes a template that starts with a dash after --", async () => {
    expect((await run(["expand", "--", "-x"])).stdout).toBe("-x\n");
  });
});

describe("eval", () => {
  it.each([
    { expr: "hash.getExpiryTime(240)", expected: String(NOW + 240) },
    { expr: "hash.getExpiryTime(240);", expected: String(NOW + 240) },
    { expr: "hash.getExpiryTime(-60)", expected: String(NOW - 60) },
    { expr: 'hash.append("abc").encodeMd5().toHex()', expected: createHash("md5").update("abc").digest("hex") },
    {
      expr: '{hash.append("abc").encodeSha1().encodeBase64().printDigest();}',
      expected: createHash("sha1").update("abc").digest("base64"),
    },
    {
      expr: `hash.append("${ACCESS_ID}").appendNewLine().append(hash.getExpiryTime(240)).encodeHmacSha1("${SECRET}").encodeBase64()`,
      expected: createHmac("sha1", SECRET)
        .update(`${ACCESS_ID}\n${NOW + 240}`)
        .digest("base64"),
    },
  ])("$expr", async ({ expr, expected }) => {
    expect(await run(["eval", "--now", String(NOW), expr])).toEqual({
      code: 0,
      stdout: `${expected}\n`,
      stderr: "",
      stdinReads: 0,
    });
  });

  it.each([
    { now: "--now=-86400", seconds: -86400 },
    { now: "--now=0", seconds: 0 },
    { now: "--now=1969-12-31T00:00:00Z", seconds: -86400 },
  ])("takes a clock before or at the epoch: $now", async ({ now, seconds }) => {
    expect((await run(["eval", now, "hash.getExpiryTime(240)"])).stdout).toBe(`${seconds + 240}\n`);
  });
});

describe("standard input", () => {
  it.each([
    { why: "- on a terminal", argv: ["expand", "--now", String(NOW), "-"], stdinIsTTY: true },
    { why: "- piped", argv: ["expand", "--now", String(NOW), "-"], stdinIsTTY: false },
    { why: "no argument, piped", argv: ["expand", "--now", String(NOW)], stdinIsTTY: false },
  ])("is read for $why", async ({ argv, stdinIsTTY }) => {
    expect(await run(argv, { stdin: `${MOZ}\n`, stdinIsTTY })).toEqual({
      code: 0,
      stdout: `${mozExpected(NOW)}\n`,
      stderr: "",
      stdinReads: 1,
    });
  });

  it("is read by eval too", async () => {
    const r = await run(["eval", "--now", String(NOW)], { stdin: "hash.getExpiryTime(240)\n" });
    expect(r.stdout).toBe(`${NOW + 240}\n`);
  });

  it("is not read when the argument is given", async () => {
    const r = await run(["expand", "abc"], { stdin: "xyz", stdinIsTTY: false });
    expect(r).toEqual({ code: 0, stdout: "abc\n", stderr: "", stdinReads: 0 });
  });

  it.each([
    { stdin: "abc", template: "abc" },
    { stdin: "abc\n", template: "abc" },
    { stdin: "abc\r\n", template: "abc" },
    { stdin: "abc\n\n", template: "abc\n" },
    { stdin: "abc\r\n\r\n", template: "abc\r\n" },
    { stdin: "abc\n\r\n", template: "abc\n" },
    { stdin: "abc\r", template: "abc\r" },
    { stdin: "a\nb\n", template: "a\nb" },
    { stdin: " abc \n", template: " abc " },
  ])("loses exactly one trailing newline: $stdin", async ({ stdin, template }) => {
    expect((await run(["expand", "-"], { stdin })).stdout).toBe(`${template}\n`);
  });
});

describe("help and version", () => {
  it.each([{ argv: ["--help"] }, { argv: ["-h"] }, { argv: ["help"] }, { argv: ["--now", "nonsense", "--help"] }])(
    "$argv prints the help",
    async ({ argv }) => {
      expect(await run(argv)).toEqual({ code: 0, stdout: HELP, stderr: "", stdinReads: 0 });
    },
  );

  it("the help names the commands, options, an example and the exit codes", () => {
    for (const text of [
      "expand",
      "eval",
      "repl",
      "--now",
      "--nonce",
      "--raw-path",
      "--explain",
      "--json",
      "--help",
      "--version",
      MOZ,
      "Exit status",
      "70",
      "74",
    ]) {
      expect(HELP).toContain(text);
    }
  });

  it.each([{ argv: ["--version"] }, { argv: ["-V"] }, { argv: ["expand", "-V"] }])(
    "$argv prints the version of package.json",
    async ({ argv }) => {
      expect(await run(argv)).toEqual({ code: 0, stdout: `${version}\n`, stderr: "", stdinReads: 0 });
    },
  );
});

describe("usage errors", () => {
  it.each([
    { why: "no command, piped", argv: [], stdin: "abc", message: /command is required/ },
    { why: "options but no command", argv: ["--now", "0"], message: /command is required/ },
    {
      why: "unknown command",
      argv: ["expnd", "x"],
      message: /unknown command: did you mean 'expand'\? the commands are expand, eval/,
    },
    { why: "unknown option", argv: ["expand", "--bogus", "x"], message: /unknown option '--bogus'/ },
    { why: "unknown short option", argv: ["expand", "-x"], message: /unknown option '-x'/ },
    { why: "a value for a flag", argv: ["--help=yes"], message: /--help/ },
    { why: "--now without a value", argv: ["expand", "x", "--now"], message: /--now/ },
    { why: "--now -60", argv: ["expand", "--now", "-60", "x"], message: /--now=-/ },
    { why: "missing template", argv: ["expand"], message: /missing TEMPLATE/ },
    { why: "missing expression", argv: ["eval", "--now", "0"], message: /missing EXPRESSION/ },
    { why: "too many arguments", argv: ["expand", "a", "b"], message: /too many arguments/ },
    { why: "words for --now", argv: ["expand", "--now", "yesterday", "x"], message: /--now: expected epoch seconds/ },
    { why: "a time without a zone", argv: ["expand", "--now", "2024-01-02T03:04:05", "x"], message: /--now/ },
    { why: "a point with no digits after it", argv: ["expand", "--now", "1700000000.", "x"], message: /--now/ },
    { why: "a point with no digits before it", argv: ["expand", "--now", ".5", "x"], message: /--now/ },
    { why: "an exponent", argv: ["expand", "--now", "1.7e9", "x"], message: /--now/ },
    { why: "a decimal comma in epoch seconds", argv: ["expand", "--now", "1700000000,5", "x"], message: /--now/ },
    { why: "epoch milliseconds too large", argv: ["expand", "--now", "9".repeat(20), "x"], message: /range/ },
    { why: "an impossible date", argv: ["expand", "--now", "2023-02-29", "x"], message: /not a valid/ },
    { why: "month 13", argv: ["expand", "--now", "2023-13-01T00:00:00Z", "x"], message: /not a valid/ },
    { why: "hour 24", argv: ["expand", "--now", "2023-01-01T24:00:00Z", "x"], message: /not a valid/ },
    { why: "an offset of 24 hours", argv: ["expand", "--now", "2023-01-01T00:00:00+24:00", "x"], message: /zone/ },
    { why: "a two-digit year", argv: ["expand", "--now", "23-01-01", "x"], message: /--now/ },
  ])("$why", async ({ argv, stdin, message }) => {
    const r = await run(argv, stdin === undefined ? {} : { stdin });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(USAGE_STDERR);
    expect(r.stderr).toMatch(message);
    expect(r.stdinReads).toBe(0);
  });
});

describe("language errors", () => {
  const unknown = '{hash.appnd("x").printDigest();}';
  it.each([
    { argv: ["expand", `a=${unknown}`], source: `a=${unknown}`, code: "UNKNOWN_METHOD", at: "appnd" },
    { argv: ["eval", "hash.append(240.5)"], source: "hash.append(240.5)", code: "INVALID_NUMBER", at: "240.5" },
    { argv: ["eval", 'hash.append("abc)'], source: 'hash.append("abc)', code: "UNTERMINATED_STRING", at: '"abc' },
    { argv: ["eval", "nonsense"], source: "nonsense", code: "NOT_AN_EXPRESSION", at: "nonsense" },
    {
      argv: ["expand", '{hash.append("x").encodeMd5();}'],
      source: '{hash.append("x").encodeMd5();}',
      code: "MISSING_PRINT_DIGEST",
      at: ";}",
    },
  ])("$code exits 1 with a caret under the mistake", async ({ argv, source, code, at }) => {
    // Literals shown, so that the line is the source as typed.
    const r = await run(["--reveal-secrets", ...argv]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    const lines = r.stderr.split("\n");
    expect(lines[0]).toMatch(new RegExp(`^error\\[${code}\\] `));
    const sourceLine = lines.find((l) => l.startsWith("1 | "));
    const caretLine = lines.find((l) => /^ +\| +\^+$/.test(l));
    expect(sourceLine).toBe(`1 | ${source}`);
    expect(caretLine?.indexOf("^")).toBe("1 | ".length + source.indexOf(at));
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toContain(ANSI);
    expect(r.stderr.endsWith("\n")).toBe(true);
  });

  it("reports every problem of a template", async () => {
    const r = await run(["expand", `${unknown}&${unknown}`]);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/error\[UNKNOWN_METHOD\]/g)).toHaveLength(2);
    expect(r.stderr).toMatch(/2 problems\n$/);
  });

  it("does not show a key argument", async () => {
    const r = await run(["expand", `{hash.append("x").encodeHmacSha265("${SECRET}").toHex().printDigest();}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[UNKNOWN_METHOD]");
    expect(r.stderr).not.toContain(SECRET);
  });

  it("is found in standard input too", async () => {
    const r = await run(["expand"], { stdin: `${unknown}\n` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`1 | ${unknown.replace('"x"', '"•"')}\n`);
  });

  it.each([
    { stderrIsTTY: true, env: {}, color: true },
    { stderrIsTTY: true, env: { NO_COLOR: "1" }, color: false },
    // no-color.org: NO_COLOR counts only when it is not empty.
    { stderrIsTTY: true, env: { NO_COLOR: "" }, color: true },
    { stderrIsTTY: false, env: {}, color: false },
    { stderrIsTTY: false, env: { NO_COLOR: "1" }, color: false },
  ])("colour: stderr a TTY $stderrIsTTY, env $env -> $color", async ({ stderrIsTTY, env, color }) => {
    const r = await run(["expand", unknown], { stderrIsTTY, env });
    expect(r.code).toBe(1);
    expect(r.stderr.includes(ANSI)).toBe(color);
    expect(r.stderr).toContain("error[UNKNOWN_METHOD]");
  });
});

describe("internal errors", () => {
  it("exit 70 with one line and no stack trace", async () => {
    const r = await run(["expand", "-"], { stdin: new Error("disk on fire") });
    expect(r).toEqual({ code: 70, stdout: "", stderr: "hash-helper: internal error: disk on fire\n", stdinReads: 1 });
  });

  it("show the stack trace when HASH_HELPER_DEBUG is set", async () => {
    const r = await run(["expand", "-"], { stdin: new Error("disk on fire"), env: { HASH_HELPER_DEBUG: "1" } });
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/^hash-helper: internal error: disk on fire\nError: disk on fire\n/);
    expect(r.stderr).toMatch(STACK_LINE);
  });
});

describe("the built binary", () => {
  const spawn = (args: string[], input?: string, script = cliJs) => {
    const r = spawnSync(process.execPath, [script, ...args], {
      input: input ?? "",
      encoding: "utf8",
      env: { ...process.env, HASH_HELPER_DEBUG: "" },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it("expands the Moz template, exit 0", () => {
    expect(spawn(["expand", "--now", String(NOW), MOZ])).toEqual({
      status: 0,
      stdout: `${mozExpected(NOW)}\n`,
      stderr: "",
    });
  });

  it.each([{ args: ["expand", "--now", "2023-11-14T22:13:20Z"] }, { args: ["expand", "--now", String(NOW), "-"] }])(
    "reads piped standard input: $args",
    ({ args }) => {
      expect(spawn(args, `${MOZ}\n`)).toEqual({ status: 0, stdout: `${mozExpected(NOW)}\n`, stderr: "" });
    },
  );

  it("exits 1 on a language error, with a caret and no stack trace", () => {
    const r = spawn(["eval", 'hash.appnd("x")']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error\[UNKNOWN_METHOD\] /);
    expect(r.stderr).toContain('1 | hash.appnd("•")\n');
    expect(r.stderr).toMatch(/^ +\| {6}\^{5}$/m);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toContain(ANSI);
  });

  it.each([{ args: ["bogus"] }, { args: [] }, { args: ["expand", "--now", "soon", "x"] }])(
    "exits 2 on a usage error: $args",
    ({ args }) => {
      const r = spawn(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(USAGE_STDERR);
    },
  );

  it("prints the help, exit 0", () => {
    expect(spawn(["--help"])).toEqual({ status: 0, stdout: HELP, stderr: "" });
  });

  describe("run through a symlink, as node_modules/.bin/hash-helper", () => {
    const dir = mkdtempSync(join(tmpdir(), "hash-helper-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("prints the version", () => {
      const link = join(dir, "hash-helper");
      symlinkSync(cliJs, link);
      expect(spawn(["--version"], undefined, link)).toEqual({ status: 0, stdout: `${version}\n`, stderr: "" });
    });
  });
});

describe("secrets", () => {
  const KEY = "cli-secret-value-42";
  const EXPR = `hash.append("m").encodeHmacSha256(hash.getSecret("api-key")).toHex()`;
  const mac = (key: string) => `${createHmac("sha256", key).update("m").digest("hex")}\n`;
  const dir = mkdtempSync(join(tmpdir(), "hash-helper-secrets-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it.each([
    { name: "--secret", argv: ["--secret", `api-key=${KEY}`], env: {} },
    { name: "--secret with = in the value", argv: ["--secret", `api-key=${KEY}=x`], env: {}, key: `${KEY}=x` },
    { name: "the last --secret of a name", argv: ["--secret", "api-key=old", "--secret", `api-key=${KEY}`], env: {} },
    { name: "--secrets-file", argv: ["--secrets-file", "FILE"], env: {} },
    { name: "the environment", argv: [], env: { HASH_HELPER_SECRET_API_KEY: KEY } },
    {
      name: "a flag before the file",
      argv: ["--secret", `api-key=${KEY}`, "--secrets-file", "FILE"],
      env: {},
      fileKey: "from-file",
    },
    {
      name: "the file before the environment",
      argv: ["--secrets-file", "FILE"],
      env: { HASH_HELPER_SECRET_API_KEY: "from-env" },
    },
  ])("come from $name", async ({ argv, env, key, fileKey }) => {
    const path = file("a.env", `# secrets\nexport api-key="${fileKey ?? KEY}"\n`);
    const r = await run(["eval", ...argv.map((a) => (a === "FILE" ? path : a)), EXPR], { env });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(mac(key ?? KEY));
    expect(r.code).toBe(0);
  });

  it("a missing secret names it and where it may come from, exit 1", async () => {
    const r = await run(["eval", EXPR]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[MISSING_SECRET] secret 'api-key' is not set");
    expect(r.stderr).toContain("HASH_HELPER_SECRET_API_KEY");
  });

  it.each([
    { argv: ["--secret", KEY], message: "--secret takes NAME=VALUE" },
    { argv: ["--secret", `=${KEY}`], message: "--secret takes NAME=VALUE" },
    { argv: ["--secrets-file", join(dir, "missing.env")], message: "missing.env: no such file\n" },
    { argv: ["--secrets-file", "BAD"], message: "line 2 is not NAME=value" },
  ])("usage errors never echo a value: $argv", async ({ argv, message }) => {
    const bad = file("bad.env", `ok=1\n${KEY}\n`);
    const r = await run(["eval", ...argv.map((a) => (a === "BAD" ? bad : a)), EXPR]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(USAGE_STDERR);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toContain(KEY);
  });

  it("the real binary reads the environment", () => {
    const r = spawnSync(process.execPath, [cliJs, "eval", EXPR], {
      encoding: "utf8",
      env: { ...process.env, HASH_HELPER_SECRET_API_KEY: KEY },
    });
    expect(r.stdout).toBe(mac(KEY));
    expect(r.status).toBe(0);
  });
});

describe("--explain and --json", () => {
  const mac = createHmac("sha1", SECRET)
    .update(`${ACCESS_ID}\n${NOW + 240}`)
    .digest();

  it("expand --explain prints the result on stdout and the steps on stderr, the key masked", async () => {
    const r = await run(["expand", "--explain", "--now", String(NOW), MOZ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${mozExpected(NOW)}\n`);
    expect(r.stderr).toMatch(/^clock 2023-11-14T22:13:20\.000Z \(epoch seconds 1700000000\)\n/);
    expect(r.stderr).toContain("block 2 of 2");
    expect(r.stderr).toMatch(/\.appendNewLine\(\) +text +"mozscape-b6838361ee⏎" \(20 chars\)/);
    expect(r.stderr).toMatch(new RegExp(`\\.encodeHmacSha1\\(key\\) +bytes +${mac.toString("hex")} \\(20 bytes\\)`));
    expect(r.stderr).toMatch(/key = "••••••" +text +•••••• \(32 chars\)/);
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toContain(ANSI);
  });

  it("eval --explain explains one expression", async () => {
    const r = await run(["eval", "--explain", "--now", String(NOW), "hash.getExpiryTime(240)"]);
    expect(r.stdout).toBe(`${NOW + 240}\n`);
    expect(r.stderr).toMatch(/hash\.getExpiryTime\(240\) +text +"1700000240" \(10 chars\)/);
  });

  it("masks a secret from the command line, and --reveal-secrets shows it", async () => {
    const expr = `hash.append("m").encodeHmacSha256(hash.getSecret("api")).toHex()`;
    const masked = await run(["eval", "--explain", "--secret", "api=cli-secret-42", expr]);
    expect(masked.stdout).toBe(`${createHmac("sha256", "cli-secret-42").update("m").digest("hex")}\n`);
    expect(masked.stderr).toMatch(/key = hash\.getSecret\("api"\) +text +•••••• \(13 chars\)/);
    expect(masked.stderr).not.toContain("cli-secret-42");
    const shown = await run(["eval", "--explain", "--reveal-secrets", "--secret", "api=cli-secret-42", expr]);
    expect(shown.stderr).toContain(`"cli-secret-42" (13 chars)`);
  });

  it.each([
    { stderrIsTTY: true, env: {}, color: true },
    { stderrIsTTY: true, env: { NO_COLOR: "1" }, color: false },
    { stderrIsTTY: false, env: {}, color: false },
  ])("colours the steps: stderr a TTY $stderrIsTTY, env $env -> $color", async ({ stderrIsTTY, env, color }) => {
    const r = await run(["expand", "--explain", MOZ], { stderrIsTTY, env });
    expect(r.stderr.includes(ANSI)).toBe(color);
    expect(r.stdout.includes(ANSI)).toBe(false);
  });

  it("--json prints result and steps as one document on stdout", async () => {
    const r = await run(["expand", "--json", "--now", String(NOW), MOZ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout);
    expect(doc.result).toBe(mozExpected(NOW));
    expect(doc.now).toBe(NOW * 1000);
    expect(doc.blocks).toHaveLength(2);
    expect(doc.blocks[1].steps.map((s: { method: string }) => s.method)).toEqual([
      "append",
      "appendNewLine",
      "append",
      "encodeHmacSha1",
      "encodeBase64",
      "encodeURL",
      "printDigest",
    ]);
    expect(doc.blocks[1].steps[3].value.value).toBe(mac.toString("hex"));
    expect(r.stdout).not.toContain(SECRET);
  });

  it("--json with eval, and with --explain as well", async () => {
    const r = await run(["eval", "--json", "--explain", "--now", String(NOW), "hash.getExpiryTime(1)"]);
    expect(JSON.parse(r.stdout)).toMatchObject({
      result: String(NOW + 1),
      blocks: [{ steps: [{ method: "getExpiryTime" }] }],
    });
    expect(r.stderr).toBe("");
  });

  it("--json gives a mistake as JSON on stdout, and the caret display on stderr, exit 1", async () => {
    const r = await run(["expand", "--json", `x={hash.appnd("a").encodeHmacSha1("${SECRET}").toHex().printDigest();}`]);
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.error).toMatchObject({
      code: "UNKNOWN_METHOD",
      span: { offset: 8, line: 1, column: 9 },
      hint: "did you mean append?",
    });
    expect(doc.error.problems).toHaveLength(1);
    expect(r.stderr).toMatch(/^error\[UNKNOWN_METHOD\]/);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it("the built binary prints the result on stdout and the steps on stderr", () => {
    const r = spawnSync(process.execPath, [cliJs, "expand", "--explain", "--now", String(NOW), MOZ], {
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${mozExpected(NOW)}\n`);
    expect(r.stderr).toContain("→ output");
  });
});

describe("the REPL", () => {
  it("starts when run with no arguments on a terminal", async () => {
    const r = await run([], { stdinIsTTY: true, replInput: `hash.append("a").toHex()\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^hash-helper \d+\.\d+\.\d+: type an expression/);
    expect(r.stdout).toContain("hash> 61\nhash> ");
    expect(r.stderr).toBe("");
  });

  it("reads secrets from the environment, as the commands do", async () => {
    const r = await run([], {
      stdinIsTTY: true,
      env: { HASH_HELPER_SECRET_API: "from-env" },
      replInput: `hash.getSecret("api")\n`,
    });
    expect(r.stdout).toContain("hash> from-env\n");
  });

  it("repl takes the clock, the secrets and --explain", async () => {
    const r = await run(["repl", "--now", String(NOW), "--secret", "api=k", "--explain"], {
      replInput: `hash.getExpiryTime(1)\nhash.append("m").encodeHmacSha256(hash.getSecret("api")).toHex()\n`,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`\n${NOW + 1}\n`);
    expect(r.stdout).toContain(`\n${createHmac("sha256", "k").update("m").digest("hex")}\n`);
    expect(r.stdout).toContain('key = hash.getSecret("api")');
  });

  it.each([
    { argv: ["repl", "x"], message: /repl takes no argument/ },
    { argv: ["repl", "--json"], message: /--json/ },
    { argv: ["repl", "--now", "soon"], message: /--now: expected epoch seconds/ },
  ])("usage error: $argv", async ({ argv, message }) => {
    const r = await run(argv, { replInput: "" });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("needs streams", async () => {
    const r = await run(["repl"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the REPL needs standard input and output/);
  });
});

/** A shell script, in which hash_helper runs the built binary with the shell's own fds. */
const shell = (script: string) => {
  const r = spawnSync("sh", ["-c", `hash_helper() { "$NODE" "$CLI" "$@"; }; ${script}`], {
    encoding: "utf8",
    env: { ...process.env, NODE: process.execPath, CLI: cliJs, HASH_HELPER_DEBUG: "" },
    timeout: 10_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const binary = (args: string[], input: string | Uint8Array = "") => {
  const r = spawnSync(process.execPath, [cliJs, ...args], {
    input,
    encoding: "utf8",
    env: { ...process.env, HASH_HELPER_DEBUG: "" },
    timeout: 10_000,
    maxBuffer: 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};

const usage = (message: string) => `hash-helper: ${message}\nTry 'hash-helper --help'.\n`;
const TOO_LONG = "longer than a template may be (limit maxTemplateLength is 65536)";

describe("bad input", () => {
  const dir = mkdtempSync(join(tmpdir(), "hash-helper-input-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  // The address space is capped so that a reader that reads without bound again fails in
  // seconds, rather than taking the machine's memory until the timeout.
  it.each([
    { input: "yes | hash_helper expand", message: `standard input: ${TOO_LONG}` },
    { input: "hash_helper sign --data @/dev/zero https://h/", message: `--data @/dev/zero: ${TOO_LONG}` },
    {
      input: "hash_helper eval --secrets-file /dev/zero 'hash.getExpiryTime(1)'",
      message: "--secrets-file /dev/zero: larger than 1 MiB",
    },
  ])("stops reading an endless input at its limit: $input", ({ input, message }) => {
    expect(shell(`ulimit -v 2000000; ${input}`)).toEqual({ status: 2, stdout: "", stderr: usage(message) });
  });

  it("takes the most bytes a template may have from standard input, and refuses one character more", () => {
    // 65,536 characters of three bytes each, and the newline that is not the template's.
    const most = "€".repeat(65_536);
    expect(binary(["expand"], `${most}\r\n`)).toEqual({ status: 0, stdout: `${most}\n`, stderr: "" });
    expect(binary(["expand"], "a".repeat(65_537))).toEqual({
      status: 2,
      stdout: "",
      stderr: usage(`standard input: ${TOO_LONG}`),
    });
  });

  it("takes a --data @FILE body as long as a template may be, and refuses one character more", () => {
    const most = "€".repeat(65_536);
    expect(binary(["sign", "--data", `@${file("most.txt", most)}`, "https://h/"])).toEqual({
      status: 0,
      stdout: `POST https://h/\n\n${most}`,
      stderr: "",
    });
    const over = file("over.txt", "a".repeat(65_537));
    expect(binary(["sign", "--data", `@${over}`, "https://h/"])).toEqual({
      status: 2,
      stdout: "",
      stderr: usage(`--data @${over}: ${TOO_LONG}`),
    });
  });

  it("refuses a secrets file larger than 1 MiB", async () => {
    const big = file("big.env", `A=${"x".repeat(1024 * 1024)}\n`);
    const r = await run(["eval", "--secrets-file", big, "hash.getExpiryTime(1)"]);
    expect(r).toEqual({
      code: 2,
      stdout: "",
      stderr: usage(`--secrets-file ${big}: larger than 1 MiB`),
      stdinReads: 0,
    });
  });

  it("refuses a template on standard input longer than a template may be", async () => {
    const r = await run(["expand"], { stdin: `${"a".repeat(65_537)}\n` });
    expect(r).toEqual({ code: 2, stdout: "", stderr: usage(`standard input: ${TOO_LONG}`), stdinReads: 1 });
  });

  it("refuses a directory on standard input", () => {
    expect(shell("hash_helper expand - < /")).toEqual({
      status: 2,
      stdout: "",
      stderr: usage("standard input is a directory"),
    });
  });

  it("refuses bytes that are not UTF-8 the same way on every input", () => {
    const bad = Uint8Array.from([0x61, 0xff, 0x62]);
    const path = file("bad.bin", bad);
    for (const { args, stdin, what } of [
      { args: ["expand"], stdin: bad, what: "standard input" },
      { args: ["eval", "-"], stdin: bad, what: "standard input" },
      { args: ["sign", "--data", `@${path}`, "https://h/"], what: `--data @${path}` },
      { args: ["eval", "--secrets-file", path, "hash.getExpiryTime(1)"], what: `--secrets-file ${path}` },
    ]) {
      expect(binary(args, stdin)).toEqual({ status: 2, stdout: "", stderr: usage(`${what}: not UTF-8 text`) });
    }
  });

  it("keeps a byte order mark, in a body file as on standard input", () => {
    const text = "\ufeffabc";
    expect(binary(["expand"], text).stdout).toBe(`${text}\n`);
    expect(binary(["sign", "--data", `@${file("bom.txt", text)}`, "https://h/"]).stdout).toBe(
      `POST https://h/\n\n${text}`,
    );
  });
});

describe("output that cannot be written", () => {
  it("a full device: one line, exit 74", () => {
    const full = openSync("/dev/full", "w");
    try {
      const r = spawnSync(process.execPath, [cliJs, "expand", "x"], {
        stdio: ["pipe", full, "pipe"],
        encoding: "utf8",
      });
      expect({ status: r.status, stderr: r.stderr }).toEqual({
        status: 74,
        stderr: "hash-helper: cannot write standard output (ENOSPC)\n",
      });
    } finally {
      closeSync(full);
    }
  });

  it("a closed standard output: one line, exit 74, before anything runs; /dev/null is not closed", () => {
    expect(shell("hash_helper expand x >&-")).toEqual({
      status: 74,
      stdout: "",
      stderr: "hash-helper: standard output is closed\n",
    });
    expect(shell("hash_helper expand x > /dev/null")).toEqual({ status: 0, stdout: "", stderr: "" });
    // A parent that discards all output (Node's stdio "ignore") meant to: it is not an error.
    const ignored = spawnSync(process.execPath, [cliJs, "expand", "x"], { stdio: "ignore" });
    expect(ignored.status).toBe(0);
  });

  it("a reader that went away: no message, exit 74", async () => {
    const child = spawnAsync(process.execPath, [cliJs, "expand", "x"], { stdio: ["ignore", "pipe", "pipe"] });
    // Closed before the program has even started, so its first write meets EPIPE.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const status = await new Promise((resolve) => child.on("close", resolve));
    expect({ status, stderr }).toEqual({ status: 74, stderr: "" });
  });
});

describe("sign and fetch: what secrets built is masked in what is shown, never in what is sent", () => {
  const SECRET_VALUE = "s3cr3t-bearer-token";
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    received.push(req.headers);
    res.setHeader("x-reply", "yes");
    res.end("pong");
  });
  let url = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/p`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const request = () => ["--secret", `k=${SECRET_VALUE}`, "-H", 'Authorization: Bearer {hash.getSecret("k");}', url];
  const lastAuthorization = () => received.at(-1)?.authorization;

  it.each([
    { flags: [], shown: "Bearer ••••••", response: { status: 200, statusText: "OK", body: "pong" } },
    {
      flags: ["--reveal-secrets"],
      shown: `Bearer ${SECRET_VALUE}`,
      response: { status: 200, statusText: "OK", body: "pong" },
    },
    {
      flags: ["-i"],
      shown: "Bearer ••••••",
      response: expect.objectContaining({ status: 200, headers: expect.arrayContaining([["x-reply", "yes"]]) }),
    },
  ])("fetch --json $flags: one document on stdout, the real request sent", async ({ flags, shown, response }) => {
    const r = await run(["fetch", "--json", ...flags, ...request()]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.signed.headers).toEqual([["Authorization", shown]]);
    expect(doc.response).toEqual(response);
    expect(lastAuthorization()).toBe(`Bearer ${SECRET_VALUE}`);
  });

  it("fetch --json prints what sign --json prints, and the response", async () => {
    const signed = JSON.parse((await run(["sign", "--json", "--now", String(NOW), ...request()])).stdout);
    const fetched = JSON.parse((await run(["fetch", "--json", "--now", String(NOW), ...request()])).stdout);
    expect(fetched).toEqual({ ...signed, response: { status: 200, statusText: "OK", body: "pong" } });
    expect(JSON.stringify(fetched)).not.toContain(SECRET_VALUE);
  });

  it("fetch --json with no answer: the document with a null response, exit 4", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const r = await run(["fetch", "--json", ...request().slice(0, -1), `http://127.0.0.1:${port}/`]);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({
      signed: { headers: [["Authorization", "Bearer ••••••"]] },
      response: null,
    });
    expect(r.stdout + r.stderr).not.toContain(SECRET_VALUE);
  });

  it("sign and fetch --explain: the steps masked on stderr, the real request printed and sent", async () => {
    const sign = await run(["sign", "--explain", ...request()]);
    expect(sign.stdout).toBe(`GET ${url}\nAuthorization: Bearer ${SECRET_VALUE}\n\n`);
    expect(sign.stderr).toContain("header Authorization");
    expect(sign.stderr).not.toContain(SECRET_VALUE);
    const fetch = await run(["fetch", "--explain", ...request()]);
    expect(fetch.stdout).toBe("200 OK\npong\n");
    expect(fetch.stderr).not.toContain(SECRET_VALUE);
    expect(lastAuthorization()).toBe(`Bearer ${SECRET_VALUE}`);
  });
});

describe("--reveal-secrets", () => {
  it("shows string literals in the errors of every command", async () => {
    const LITERAL = "k3y-in-a-literal";
    const block = `{hash.append("x").encodeHmacSha265("${LITERAL}").toHex().printDigest();}`;
    for (const argv of [
      ["expand", block],
      ["expand", "--explain", block],
      ["eval", block],
      ["eval", "--json", block],
      ["sign", "-H", `X: ${block}`, "https://h/"],
      ["sign", "--explain", "-H", `X: ${block}`, "https://h/"],
    ]) {
      const masked = await run(argv);
      expect(masked.code).toBe(1);
      expect(masked.stdout + masked.stderr).not.toContain(LITERAL);
      const shown = await run(["--reveal-secrets", ...argv]);
      expect(shown.code).toBe(1);
      expect(shown.stderr).toContain(LITERAL);
    }
  });
});

describe("--json is a trace: what secrets built is masked in its result too", () => {
  it.each([
    ["expand", `a={hash.getSecret("k");}`, "a=••••••"],
    ["eval", `hash.getSecret("k")`, "••••••"],
  ])("%s --json", async (command, source, shown) => {
    const r = await run([command, "--json", "--secret", "k=S3cr3tValue", source]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result).toBe(shown);
    expect(r.stdout).not.toContain("S3cr3tValue");
    const revealed = await run([command, "--json", "--reveal-secrets", "--secret", "k=S3cr3tValue", source]);
    expect(JSON.parse(revealed.stdout).result).toBe(shown.replace("••••••", "S3cr3tValue"));
    // Without --json the result is the command's output, as without --explain.
    const explained = await run([command, "--explain", "--secret", "k=S3cr3tValue", source]);
    expect(explained.stdout).toBe(`${shown.replace("••••••", "S3cr3tValue")}\n`);
  });
});

describe("usage errors on a terminal", () => {
  it("show control characters in a file name escaped, never raw", async () => {
    const r = await run(["eval", "--secrets-file", "/tmp/\u001b[2J\nerror[FAKE] ok", "hash.getExpiryTime(1)"]);
    expect(r.code).toBe(2);
    expect(r.stderr.includes("\u001b")).toBe(false);
    expect(r.stderr.split("\n")[0]).toContain("\\u001b[2J\\u000aerror[FAKE] ok");
  });
});

describe("--now with milliseconds", () => {
  // Epoch milliseconds from the digits by hand; ISO instants from Date.UTC.
  it.each([
    { text: "1616492376.594", ms: 1616492376594 },
    { text: "1616492376.5", ms: 1616492376500 },
    { text: "1616492376.05", ms: 1616492376050 },
    { text: "1616492376.000", ms: 1616492376000 },
    { text: "0.001", ms: 1 },
    // Finer than a millisecond: dropped toward the past.
    { text: "1616492376.5949", ms: 1616492376594 },
    { text: "1616492376.594999999", ms: 1616492376594 },
    { text: "0.0009", ms: 0 },
    { text: "-1.5", ms: -1500 },
    { text: "-1.0005", ms: -1001 },
    { text: "-1.0000", ms: -1000 },
    { text: "-0.0001", ms: -1 },
    { text: "-0", ms: 0 },
    { text: "-0.000", ms: 0 },
    { text: "2021-03-23T09:39:36.594Z", ms: Date.UTC(2021, 2, 23, 9, 39, 36, 594) },
    { text: "2021-03-23T09:39:36.5Z", ms: Date.UTC(2021, 2, 23, 9, 39, 36, 500) },
    { text: "2021-03-23T09:39:36.5949Z", ms: Date.UTC(2021, 2, 23, 9, 39, 36, 594) },
    { text: "2021-03-23T10:39:36.594+01:00", ms: Date.UTC(2021, 2, 23, 9, 39, 36, 594) },
  ])("$text is epoch ms $ms", ({ text, ms }) => {
    expect(Object.is(parseNow(text), ms)).toBe(true);
  });

  it("reads the digits rather than multiplying a float", () => {
    // 1.005 is 1.00499999999999989… in binary floating point: multiplied, it would floor to 1004 ms.
    expect(Math.floor(1.005 * 1000)).toBe(1004);
    expect(parseNow("1.005")).toBe(1005);
  });

  it.each([{ now: "1616492376.594" }, { now: "--now=1616492376.594" }, { now: "2021-03-23T09:39:36.594Z" }])(
    "reaches the clock: $now",
    async ({ now }) => {
      const argv = now.startsWith("--") ? [now] : ["--now", now];
      const r = await run(["eval", "--json", ...argv, "hash.getExpiryTime(0)"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ now: 1616492376594, result: "1616492376" });
    },
  );

  it("a fraction of a negative epoch: --now=-1.5", async () => {
    const r = await run(["eval", "--json", "--now=-1.5", "hash.getExpiryTime(0)"]);
    expect(JSON.parse(r.stdout).now).toBe(-1500);
  });
});

describe("--nonce", () => {
  const HEX = "00112233445566778899aabbccddeeff";
  /** RFC 9562 §5.4, by hand: version 4 in the high nibble of octet 6, variant 10 in the top bits of octet 8. */
  const uuidOf = (hex: string) => {
    const b = Buffer.from(hex, "hex").subarray(0, 16);
    b[6] = ((b[6] as number) & 0x0f) | 0x40;
    b[8] = ((b[8] as number) & 0x3f) | 0x80;
    const h = b.toString("hex");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  };

  it("the UUID of the nonce of the issue, worked out by hand", () => {
    // 0x66 -> 0x46 (version 4); 0x88 is 10001000, already variant 10.
    expect(uuidOf(HEX)).toBe("00112233-4455-4677-8899-aabbccddeeff");
    expect(uuidOf("ff".repeat(16))).toBe("ffffffff-ffff-4fff-bfff-ffffffffffff");
    expect(uuidOf("00".repeat(16))).toBe("00000000-0000-4000-8000-000000000000");
  });

  it.each([
    { argv: ["expand", "--nonce", HEX, "{hash.getNonce();}"], expected: HEX },
    { argv: ["expand", "--nonce", HEX, "{hash.getNonce(4);}"], expected: "00112233" },
    { argv: ["expand", "--nonce", HEX, "{hash.getUuid();}"], expected: "00112233-4455-4677-8899-aabbccddeeff" },
    { argv: ["expand", "--nonce", HEX.toUpperCase(), "{hash.getNonce();}"], expected: HEX },
    { argv: ["expand", "--nonce", HEX, "n={hash.getNonce();}&m={hash.getNonce();}"], expected: `n=${HEX}&m=${HEX}` },
    {
      argv: ["expand", "--nonce", HEX, "{hash.getNonce(2);}/{hash.getNonce(16);}/{hash.getUuid();}"],
      expected: `0011/${HEX}/${uuidOf(HEX)}`,
    },
    { argv: ["eval", "--nonce", HEX, "hash.getNonce(16)"], expected: HEX },
    { argv: ["eval", "--nonce", "ff".repeat(16), "hash.getUuid()"], expected: uuidOf("ff".repeat(16)) },
    { argv: ["eval", `--nonce=${HEX}${"ab".repeat(16)}`, "hash.getNonce(32)"], expected: `${HEX}${"ab".repeat(16)}` },
    { argv: ["eval", "--nonce", "7f", "hash.getNonce(1)"], expected: "7f" },
    { argv: ["eval", "--nonce", "00".repeat(1024), "hash.getNonce(1024)"], expected: "00".repeat(1024) },
    { argv: ["eval", "--nonce", "01", "hash.getExpiryTime(0)", "--now", "5"], expected: "5" },
  ])("$argv.0 $argv.3", async ({ argv, expected }) => {
    expect(await run(argv)).toEqual({ code: 0, stdout: `${expected}\n`, stderr: "", stdinReads: 0 });
  });

  it("sign: a header that carries the nonce and the signature over it agree, and the URL has it too", async () => {
    const r = await run([
      "sign",
      "--nonce",
      HEX,
      "-H",
      "X-Nonce: {hash.getNonce();}",
      "-H",
      'X-Sig: {hash.append(hash.getRequestHeader("X-Nonce")).encodeSha256().toHex().printDigest();}',
      "https://h/?n={hash.getNonce(4);}&id={hash.getUuid();}",
    ]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(
      `GET https://h/?n=00112233&id=${uuidOf(HEX)}\nX-Nonce: ${HEX}\n` +
        `X-Sig: ${createHash("sha256").update(HEX).digest("hex")}\n\n`,
    );
  });

  it("fetch sends the nonce it was given", async () => {
    const received: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      received.push(req.headers);
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const r = await run(["fetch", "--nonce", HEX, "-H", "X-Id: {hash.getUuid();}", `http://127.0.0.1:${port}/`]);
      expect(r.code).toBe(0);
      expect(received.at(-1)?.["x-id"]).toBe(uuidOf(HEX));
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("the REPL takes it too", async () => {
    const r = await run(["repl", "--nonce", HEX], { replInput: "hash.getNonce()\nhash.getUuid()\n" });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${HEX}\n`);
    expect(r.stdout).toContain(`${uuidOf(HEX)}\n`);
  });

  it("without it, every expansion draws new bytes", async () => {
    const a = (await run(["eval", "hash.getNonce()"])).stdout;
    const b = (await run(["eval", "hash.getNonce()"])).stdout;
    expect(a).toMatch(/^[0-9a-f]{32}\n$/);
    expect(a).not.toBe(b);
  });

  it.each([
    { argv: ["expand", "--nonce", "0011", "{hash.getNonce();}"], message: "--nonce gives 2 bytes, and 16 are needed" },
    { argv: ["eval", "--nonce", HEX.slice(2), "hash.getUuid()"], message: "--nonce gives 15 bytes, and 16 are needed" },
    { argv: ["eval", "--nonce", HEX, "hash.getNonce(17)"], message: "--nonce gives 16 bytes, and 17 are needed" },
  ])("fewer bytes than a draw needs: error[RANDOM_SOURCE], exit 1: $argv.3", async ({ argv, message }) => {
    const r = await run(argv);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error\[RANDOM_SOURCE\] /);
    expect(r.stderr).toContain(message);
  });

  it.each([
    { why: "an odd number of digits", nonce: "abc", message: /--nonce takes bytes as hex digits/ },
    { why: "a letter that is not hex", nonce: "zz", message: /--nonce takes bytes as hex digits/ },
    { why: "no bytes", nonce: "", message: /--nonce takes bytes as hex digits/ },
    { why: "a 0x prefix", nonce: "0x0011", message: /--nonce takes bytes as hex digits/ },
    { why: "a space", nonce: "00 11", message: /--nonce takes bytes as hex digits/ },
    { why: "more than 1024 bytes", nonce: "00".repeat(1025), message: /--nonce: at most 1024 bytes/ },
  ])("usage error: $why", async ({ nonce, message }) => {
    for (const argv of [
      ["expand", `--nonce=${nonce}`, "x"],
      ["eval", `--nonce=${nonce}`, "hash.getNonce()"],
      ["sign", `--nonce=${nonce}`, "https://h/"],
      ["repl", `--nonce=${nonce}`],
    ]) {
      const r = await run(argv, { replInput: "" });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(USAGE_STDERR);
      expect(r.stderr).toMatch(message);
    }
  });

  it("a missing value is a usage error", async () => {
    const r = await run(["expand", "x", "--nonce"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--nonce/);
  });
});

describe("--raw-path", () => {
  interface Received {
    method: string;
    url: string;
    rawHeaders: string[];
    body: string;
  }
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      // The same answer every time, for the two ways of sending to be compared.
      res.sendDate = false;
      if (req.url === "/status/403") res.statusCode = 403;
      if (req.url === "/redirect") {
        res.statusCode = 302;
        res.setHeader("Location", "/elsewhere");
      }
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      res.setHeader("X-Reply", "yes");
      res.end("pong");
    });
  });
  let origin = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  const last = () => received.at(-1) as Received;
  /** A received request's headers as name-value pairs, names as sent. */
  const pairs = (raw: string[]) => raw.flatMap((v, i) => (i % 2 === 0 ? [[v, raw[i + 1] as string]] : []));

  // What arrives is the path typed, but for what a request line cannot carry, percent-encoded
  // as UTF-8 by hand here.
  it.each([
    { path: "/a/./b/../c//d", sent: "/a/./b/../c//d" },
    { path: "/a/./b/../c//d?x=1&y=/../", sent: "/a/./b/../c//d?x=1&y=/../" },
    { path: "//double//slashes/", sent: "//double//slashes/" },
    { path: "/../above/root", sent: "/../above/root" },
    { path: "/%2F%2e%2E/%zz/%41", sent: "/%2F%2e%2E/%zz/%41" },
    { path: "/!$&'()*+,;=:@~-._", sent: "/!$&'()*+,;=:@~-._" },
    { path: "/a b/é?q=x y", sent: "/a%20b/%C3%A9?q=x%20y" },
    { path: "/a\tb", sent: "/a%09b" },
    { path: "/€", sent: "/%E2%82%AC" },
    { path: "/😀", sent: "/%F0%9F%98%80" },
    { path: "", sent: "/" },
    { path: "?x=1", sent: "/?x=1" },
    { path: "/p#fragment", sent: "/p" },
  ])("fetch --raw-path sends $path as $sent", async ({ path, sent }) => {
    const r = await run(["fetch", "--raw-path", `${origin}${path}`]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(last().url).toBe(sent);
  });

  it("without it, fetch sends the path as the WHATWG URL parser writes it", async () => {
    const url = `${origin}/a/./b/../c//d?q=x y`;
    await run(["fetch", url]);
    const { pathname, search } = new URL(url);
    expect(last().url).toBe(`${pathname}${search}`);
    expect(last().url).toBe("/a/c//d?q=x%20y");
  });

  it("sign --raw-path prints the URL as written; sign alone, as fetch sends it", async () => {
    const url = "https://h/a/./b/../c//d?q=a b#f";
    expect((await run(["sign", "--raw-path", url])).stdout).toBe(`GET ${url}\n\n`);
    expect((await run(["sign", url])).stdout).toBe("GET https://h/a/c//d?q=a%20b#f\n\n");
  });

  it("the request functions read the path as written", async () => {
    const url = "https://h/a/./b/../c//d?x=1";
    const args = ["-H", "X-Path: {hash.getRequestPath();}", "-H", "X-Query: {hash.getRequestQuery();}", url];
    expect((await run(["sign", "--raw-path", ...args])).stdout).toBe(
      `GET ${url}\nX-Path: /a/./b/../c//d\nX-Query: x=1\n\n`,
    );
    expect((await run(["sign", ...args])).stdout).toBe("GET https://h/a/c//d?x=1\nX-Path: /a/c//d\nX-Query: x=1\n\n");
  });

  it("the same request sent both ways: the same method, headers, body and output", async () => {
    const args = (path: string) => [
      "-X",
      "PUT",
      "-H",
      "X-First: 1",
      "-H",
      'x-second: {hash.append("two").printDigest();}',
      "-H",
      "X-First: 3",
      "--data",
      "héllo {hash.getExpiryTime(0);}",
      "--now",
      String(NOW),
      `${origin}${path}`,
    ];
    for (const flags of [[], ["-i"], ["--json"], ["--json", "-i"]]) {
      const viaFetch = await run(["fetch", ...flags, ...args("/p")]);
      const fetched = last();
      const viaRaw = await run(["fetch", "--raw-path", ...flags, ...args("/p")]);
      const raw = last();
      expect(viaRaw).toEqual(viaFetch);
      expect(raw.method).toBe("PUT");
      expect(raw.body).toBe(`héllo ${NOW}`);
      expect(raw.body).toBe(fetched.body);
      // The request's own headers, in their order and case, with Host and Content-Length.
      expect(pairs(raw.rawHeaders)).toEqual([
        ["Host", origin.slice("http://".length)],
        ["X-First", "1"],
        ["x-second", "two"],
        ["X-First", "3"],
        ["User-Agent", `hash-helper/${version}`],
        ["Content-Length", String(Buffer.byteLength(`héllo ${NOW}`))],
        ["Connection", "keep-alive"],
      ]);
    }
    expect((await run(["fetch", "--raw-path", "-i", ...args("/p")])).stdout).toBe(
      "200 OK\nconnection: keep-alive\ncontent-length: 4\nkeep-alive: timeout=5\nset-cookie: a=1\nset-cookie: b=2\nx-reply: yes\n\npong\n",
    );
  });

  it("a Host header given is the one sent; a POST without a body says Content-Length: 0, as fetch does", async () => {
    await run(["fetch", "--raw-path", "-X", "POST", "-H", "Host: example.com", `${origin}/p`]);
    expect(pairs(last().rawHeaders)).toEqual([
      ["Host", "example.com"],
      ["User-Agent", `hash-helper/${version}`],
      ["Content-Length", "0"],
      ["Connection", "keep-alive"],
    ]);
    await run(["fetch", "-X", "POST", `${origin}/p`]);
    expect(pairs(last().rawHeaders)).toContainEqual(["content-length", "0"]);
  });

  it.each([
    { path: "/status/403", code: 3, stdout: "403 Forbidden\npong\n" },
    { path: "/redirect", code: 0, stdout: "302 Found\npong\n" },
  ])("the exit status and the redirect policy of fetch: $path", async ({ path, code, stdout }) => {
    for (const flags of [[], ["--raw-path"]]) {
      const r = await run(["fetch", ...flags, `${origin}${path}`]);
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code, stdout });
      expect(last().url).toBe(path);
    }
  });

  it("no answer: exit 4 with the system's code, and a null response in --json", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const r = await run([
      "fetch",
      "--raw-path",
      "--secret",
      "k=SECRETVALUE",
      "-H",
      'A: {hash.getSecret("k");}',
      `http://127.0.0.1:${port}/`,
    ]);
    expect(r).toMatchObject({ code: 4, stdout: "", stderr: "hash-helper: the request got no answer (ECONNREFUSED)\n" });
    const j = await run(["fetch", "--raw-path", "--json", `http://127.0.0.1:${port}/`]);
    expect(j.code).toBe(4);
    expect(JSON.parse(j.stdout).response).toBeNull();
  });

  it.each([
    { argv: ["expand", "--raw-path", "x"], message: /--raw-path is for sign and fetch, not expand/ },
    { argv: ["eval", "--raw-path", "hash.getExpiryTime(0)"], message: /--raw-path is for sign and fetch, not eval/ },
    { argv: ["repl", "--raw-path"], message: /--raw-path is for sign and fetch, not repl/ },
    { argv: ["--raw-path=yes", "sign", "https://h/"], message: /--raw-path/ },
    { argv: ["sign", "--raw-path", "not a url"], message: /the expanded URL is not an absolute URL/ },
    { argv: ["fetch", "--raw-path", "not a url"], message: /the expanded URL is not an absolute URL/ },
    { argv: ["fetch", "--raw-path", "ftp://h/x"], message: /fetch --raw-path sends an http:\/\/ or https:\/\/ URL/ },
    { argv: ["fetch", "--raw-path", "http:/h/x"], message: /fetch --raw-path sends an http:\/\/ or https:\/\/ URL/ },
    { argv: ["fetch", "--raw-path", "http://h\\x/"], message: /fetch --raw-path sends an http:\/\/ or https:\/\/ URL/ },
    { argv: ["fetch", "--raw-path", "http://u:SECRETPW@127.0.0.1:1/"], message: /user:password@/ },
    { argv: ["fetch", "http://u:SECRETPW@127.0.0.1:1/"], message: /user:password@/ },
  ])("usage error: $argv.0 $argv.1 $argv.2", async ({ argv, message }) => {
    const before = received.length;
    const r = await run(argv, { replInput: "" });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(USAGE_STDERR);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain("SECRETPW");
    expect(received.length).toBe(before);
  });

  it("sign --raw-path prints a URL of any scheme, as sign does", async () => {
    expect((await run(["sign", "--raw-path", "ftp://h/./x"])).stdout).toBe("GET ftp://h/./x\n\n");
  });
});

describe("header values HTTP cannot send", () => {
  it.each([{ flags: [] }, { flags: ["--raw-path"] }])(
    "a control character is a usage error naming the header, not its value: $flags",
    async ({ flags }) => {
      for (const command of ["sign", "fetch"]) {
        const r = await run([
          command,
          ...flags,
          "--secret",
          "k=SECRET\u0001VALUE",
          "-H",
          'X-Key: {hash.getSecret("k");}',
          "http://127.0.0.1:1/",
        ]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(USAGE_STDERR);
        expect(r.stderr).toContain("header 'X-Key' holds a control character after expansion");
        expect(r.stderr).not.toContain("SECRET");
      }
    },
  );

  it("a tab is not a control character there (RFC 9110 §5.5)", async () => {
    const r = await run(["sign", "-H", 'X: {hash.append("a").append("\\t").append("b").printDigest();}', "https://h/"]);
    expect(r.stdout).toBe("GET https://h/\nX: a\tb\n\n");
  });
});
