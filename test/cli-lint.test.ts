import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Diagnostic, LintOptions, RequestTemplate } from "../src/index.ts";

// The CLI's side of lint, in-process, with lint() itself replaced: what the CLI gives it (the
// template or the request, the secrets), what it prints of the diagnostics, and its exit status.
// The rules themselves are the lint helper's (test/lint*.test.ts); the built binary runs them in
// test/cli-http.test.ts.

const calls: { input: string | RequestTemplate; options: LintOptions | undefined }[] = [];
let found: Diagnostic[] = [];

vi.mock("../src/index.ts", async (original) => {
  const actual = await original<typeof import("../src/index.ts")>();
  return {
    ...actual,
    lint: (input: string | RequestTemplate, options?: LintOptions) => {
      calls.push({ input, options });
      return found;
    },
    formatDiagnostics: (diagnostics: readonly Diagnostic[], options: { color?: boolean } = {}) =>
      diagnostics.map((d) => `${options.color ? "\x1b[33m" : ""}${d.severity}[${d.code}] ${d.message}`).join("\n"),
  };
});

const { main } = await import("../src/shells/cli/cli.ts");

const SECRET = "lint-secret-value-77";
const dir = mkdtempSync(join(tmpdir(), "hash-helper-lint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const diagnostic = (severity: Diagnostic["severity"], code = "SIGNED_VALUE_DIFFERS"): Diagnostic => ({
  code,
  severity,
  message: "the value sent and the value signed differ",
  hint: "use the same offset",
  span: { offset: 5, length: 3, line: 1, column: 6 } as Diagnostic["span"],
  excerpt: { line: "x", caret: 0 } as unknown as Diagnostic["excerpt"],
});

async function run(argv: string[], options: { stdin?: string; env?: Record<string, string>; tty?: boolean } = {}) {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
    readStdin: async () => options.stdin ?? "",
    stdinIsTTY: options.stdin === undefined,
    stderrIsTTY: options.tty ?? false,
    stdoutIsTTY: options.tty ?? false,
    env: options.env ?? {},
  });
  return { code, stdout, stderr };
}

beforeEach(() => {
  calls.length = 0;
  found = [];
});

const MARVEL =
  "https://x.test/?ts={hash.getExpiryTime(300);}&h={hash.append(hash.getExpiryTime(240)).toHex().printDigest();}";

describe("hash-helper lint", () => {
  it.each([
    { severities: [], code: 0 },
    { severities: ["info"], code: 0 },
    { severities: ["warning"], code: 1 },
    { severities: ["error"], code: 1 },
    { severities: ["info", "warning", "error"], code: 1 },
  ] as const)("exits $code with $severities", async ({ severities, code }) => {
    found = severities.map((s) => diagnostic(s));
    const r = await run(["lint", MARVEL]);
    expect(r.code).toBe(code);
    expect(calls).toEqual([{ input: MARVEL, options: { secrets: expect.any(Function), expression: false } }]);
    if (severities.length === 0) {
      expect(r.stdout).toBe("");
    } else {
      for (const s of severities) expect(r.stdout).toContain(`${s}[SIGNED_VALUE_DIFFERS]`);
    }
    expect(r.stderr).toBe("");
  });

  it("says how many of each it found", async () => {
    found = [diagnostic("error"), diagnostic("warning"), diagnostic("warning"), diagnostic("info")];
    expect((await run(["lint", MARVEL])).stdout).toMatch(/\n\n1 error, 2 warnings, 1 note\n$/);
  });

  it("--json prints the diagnostics as JSON on stdout", async () => {
    found = [diagnostic("warning")];
    const r = await run(["lint", "--json", MARVEL]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ diagnostics: JSON.parse(JSON.stringify(found)) });
  });

  it.each([
    { how: "-", argv: ["lint", "-"], stdin: `${MARVEL}\n` },
    { how: "piped", argv: ["lint"], stdin: `${MARVEL}\n` },
  ])("reads the template from standard input: $how", async ({ argv, stdin }) => {
    await run(argv, { stdin });
    expect(calls[0]?.input).toBe(MARVEL);
  });

  it("reads the template from @FILE", async () => {
    const file = join(dir, "t.txt");
    writeFileSync(file, `${MARVEL}\n`);
    await run(["lint", `@${file}`]);
    expect(calls[0]?.input).toBe(MARVEL);
  });

  it("gives lint the secrets of --secret, --secrets-file and the environment, to check their shapes", async () => {
    const file = join(dir, "s.env");
    writeFileSync(file, `from_file="${SECRET}-file"\n`);
    await run(["lint", "--secret", `flag=${SECRET}`, "--secrets-file", file, MARVEL], {
      env: { HASH_HELPER_SECRET_FROM_ENV: `${SECRET}-env` },
    });
    const secrets = calls[0]?.options?.secrets as (name: string) => string | undefined;
    expect([secrets("flag"), secrets("from_file"), secrets("from_env"), secrets("none")]).toEqual([
      SECRET,
      `${SECRET}-file`,
      `${SECRET}-env`,
      undefined,
    ]);
  });

  it.each([
    { how: "--request alone", argv: ["lint", "--request", "https://x.test/a"], method: undefined },
    { how: "--request at the end", argv: ["lint", "https://x.test/a", "--request"], method: undefined },
    { how: "-X", argv: ["lint", "-X", "PUT", "https://x.test/a"], method: "PUT" },
    { how: "--request METHOD", argv: ["lint", "--request", "DELETE", "https://x.test/a"], method: "DELETE" },
    { how: "-H", argv: ["lint", "-H", "A: {hash.getNonce(4);}", "https://x.test/a"], method: "GET" },
  ])("lints a request given by flags: $how", async ({ argv, method }) => {
    await run(argv);
    const input = calls[0]?.input as RequestTemplate;
    expect(typeof input).toBe("object");
    expect(input.url).toBe("https://x.test/a");
    expect(input.method).toBe(method ?? "GET");
  });

  it("lints a request of a .http file, and one read with --request -", async () => {
    const file = join(dir, "r.http");
    const text = "POST https://x.test/p\nX-Sig: {hash.getRequestBody().encodeSha256().toHex().printDigest();}\n\nbody";
    writeFileSync(file, text);
    await run(["lint", file]);
    await run(["lint", "--request", "-"], { stdin: text });
    const expected = {
      method: "POST",
      url: "https://x.test/p",
      headers: [["X-Sig", "{hash.getRequestBody().encodeSha256().toHex().printDigest();}"]],
      body: "body",
    };
    expect(calls.map((c) => c.input)).toEqual([expected, expected]);
  });

  it("lints every request of a .http file without --name, saying which each diagnostic is in", async () => {
    const file = join(dir, "many.http");
    writeFileSync(file, "### one\nGET https://x.test/1\n\n###\nGET https://x.test/2\n");
    found = [diagnostic("warning")];
    const r = await run(["lint", file]);
    expect(r.code).toBe(1);
    expect(calls.map((c) => (c.input as RequestTemplate).url)).toEqual(["https://x.test/1", "https://x.test/2"]);
    expect(r.stdout).toContain(`${file}: the request 'one' of line 2:\nwarning[SIGNED_VALUE_DIFFERS]`);
    expect(r.stdout).toContain(`${file}: the request of line 5:\nwarning[SIGNED_VALUE_DIFFERS]`);
    expect(r.stdout).toMatch(/\n2 warnings\n$/);
    const json = JSON.parse((await run(["lint", "--json", file])).stdout) as { diagnostics: { request: unknown }[] };
    expect(json.diagnostics.map((d) => d.request)).toEqual([{ name: "one", line: 2 }, { line: 5 }]);
    calls.length = 0;
    await run(["lint", "--name", "one", file]);
    expect(calls.map((c) => (c.input as RequestTemplate).url)).toEqual(["https://x.test/1"]);
  });

  it("never shows a secret of a .http file or a secrets file, whatever lint finds", async () => {
    const file = join(dir, "leak.http");
    writeFileSync(file, `GET https://x.test/?k=${SECRET}\n{{oops}}`);
    const r = await run(["lint", "--secret", `k=${SECRET}`, file]);
    expect(r.code).toBe(2);
    expect(`${r.stdout}${r.stderr}`).not.toContain(SECRET);
  });
});

describe("lint of a bare expression", () => {
  it("reads it as eval does, not as a template of text", async () => {
    await run(["lint", 'hash.append("a").toHex()']);
    expect(calls[0]).toMatchObject({ input: 'hash.append("a").toHex()', options: { expression: true } });
    await run(["lint", 'https://x.test/?a={hash.append("a").toHex().printDigest();}']);
    expect(calls[1]?.options?.expression).toBe(false);
  });
});

describe("--explain prints what lint finds after the trace, on stderr", () => {
  it.each([
    { argv: ["expand", "--explain", "--now", "0", MARVEL], input: MARVEL, expression: false },
    {
      argv: ["eval", "--explain", "--now", "0", "hash.getExpiryTime(1)"],
      input: "hash.getExpiryTime(1)",
      expression: true,
    },
    { argv: ["sign", "--explain", "--now", "0", MARVEL], input: { method: "GET", url: MARVEL }, expression: false },
  ])("$argv.0", async ({ argv, input, expression }) => {
    found = [diagnostic("warning")];
    const r = await run(argv);
    expect(r.code).toBe(0);
    if (typeof input === "string") expect(calls[0]?.input).toBe(input);
    else expect(calls[0]?.input).toMatchObject(input);
    // An expression is linted as one, in its own text: eval's columns are the expression's.
    expect(calls[0]?.options?.expression).toBe(expression);
    const at = r.stderr.indexOf("warning[SIGNED_VALUE_DIFFERS]");
    expect(at).toBeGreaterThan(0);
    expect(r.stderr.slice(0, at)).toContain("hash.getExpiryTime");
    expect(r.stdout).not.toContain("SIGNED_VALUE_DIFFERS");
  });

  it("is not run without --explain (expand never lints on its own)", async () => {
    await run(["expand", "--now", "0", MARVEL]);
    expect(calls).toEqual([]);
  });
});

describe("color", () => {
  it.each([
    { why: "not a terminal", argv: [], env: {}, tty: false, color: false },
    { why: "a terminal", argv: [], env: {}, tty: true, color: true },
    { why: "--color", argv: ["--color"], env: {}, tty: false, color: true },
    { why: "--no-color on a terminal", argv: ["--no-color"], env: {}, tty: true, color: false },
    { why: "the last of the two", argv: ["--no-color", "--color"], env: {}, tty: false, color: true },
    { why: "the last of the two, again", argv: ["--color", "--no-color"], env: {}, tty: true, color: false },
    { why: "NO_COLOR", argv: [], env: { NO_COLOR: "1" }, tty: true, color: false },
    { why: "NO_COLOR empty", argv: [], env: { NO_COLOR: "" }, tty: true, color: true },
    { why: "TERM=dumb", argv: [], env: { TERM: "dumb" }, tty: true, color: false },
    { why: "FORCE_COLOR", argv: [], env: { FORCE_COLOR: "1" }, tty: false, color: true },
    { why: "FORCE_COLOR beats NO_COLOR", argv: [], env: { FORCE_COLOR: "3", NO_COLOR: "1" }, tty: false, color: true },
    // Node's getColorDepth() and supports-color: set and empty forces color (FORCE_COLOR= in a script).
    { why: "FORCE_COLOR set and empty", argv: [], env: { FORCE_COLOR: "" }, tty: false, color: true },
    { why: "FORCE_COLOR= beats NO_COLOR", argv: [], env: { FORCE_COLOR: "", NO_COLOR: "1" }, tty: false, color: true },
    { why: "FORCE_COLOR=0", argv: [], env: { FORCE_COLOR: "0" }, tty: true, color: false },
    { why: "FORCE_COLOR=false", argv: [], env: { FORCE_COLOR: "false" }, tty: true, color: false },
    { why: "--no-color beats FORCE_COLOR", argv: ["--no-color"], env: { FORCE_COLOR: "1" }, tty: true, color: false },
    { why: "--color beats NO_COLOR", argv: ["--color"], env: { NO_COLOR: "1" }, tty: false, color: true },
  ])("$why", async ({ argv, env, tty, color }) => {
    found = [diagnostic("warning")];
    const linted = await run(["lint", ...argv, MARVEL], { env, tty });
    expect(linted.stdout.includes("\x1b[")).toBe(color);
    const failed = await run(["eval", ...argv, 'hash.appnd("x")'], { env, tty });
    expect(failed.code).toBe(1);
    expect(failed.stderr.includes("\x1b[")).toBe(color);
  });
});
