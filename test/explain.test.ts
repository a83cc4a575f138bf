import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { formatExplanation, formatRequestExplanation } from "../src/features/explain-format.ts";
import {
  type ExplainedStep,
  type ExplainOptions,
  type Explanation,
  evaluate,
  expand,
  explain,
  explainAndEvaluate,
  explainAndExpand,
  explainAndSignRequest,
  explainExpression,
  explainRequest,
  type HashHelperError,
  methods,
  signRequest,
} from "../src/index.ts";
import { type Io, main } from "../src/shells/cli/cli.ts";
import { errorOf } from "./helpers.ts";

const NOW = 1_700_000_000_000; // 2023-11-14T22:13:20Z
const EXPIRES = String(NOW / 1000 + 240);
const ACCESS_ID = "mozscape-b6838361ee";
const MOZ_KEY = "0123456789abcdef0123456789abcdef";
const MOZ =
  `https://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2fblog?Cols=4&AccessID=${ACCESS_ID}` +
  `&Expires={hash.getExpiryTime(240);}&Signature={hash.append("${ACCESS_ID}").appendNewLine()` +
  `.append(hash.getExpiryTime(240)).encodeHmacSha1("${MOZ_KEY}").encodeBase64().encodeURL().printDigest();}`;

const hex = (algorithm: string, data: string | Buffer) => createHash(algorithm).update(data).digest("hex");
const hmac = (algorithm: string, key: string | Buffer, data: string) => createHmac(algorithm, key).update(data);
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Each step of the first block as [call, kind, preview], nested steps indented by two spaces. */
function table(explanation: Explanation, block = 0): string[][] {
  const rows: string[][] = [];
  const walk = (steps: readonly ExplainedStep[], indent: string) => {
    for (const step of steps) {
      rows.push([`${indent}${step.call}`, step.value.kind, step.value.preview]);
      for (const arg of step.args) if (arg.steps) walk(arg.steps, `${indent}  `);
    }
  };
  walk(explanation.blocks[block]?.steps ?? [], "");
  return rows;
}

/** Everything of an error a person or a tool may see. */
const shown = (e: HashHelperError) => ({
  code: e.code,
  message: e.message,
  span: e.span,
  hint: e.hint,
  problems: e.problems,
  format: e.format(),
});

describe("steps, kinds and previews", () => {
  const md5 = hex("md5", "abc");
  it.each([
    {
      expr: `hash.append("a").appendNewLine().append("b")`,
      steps: [
        ['append("a")', "text", '"a" (1 char)'],
        ["appendNewLine()", "text", '"a⏎" (2 chars)'],
        ['append("b")', "text", '"a⏎b" (3 chars)'],
      ],
    },
    {
      expr: `hash.append("abc").encodeMd5().toHex()`,
      steps: [
        ['append("abc")', "text", '"abc" (3 chars)'],
        ["encodeMd5()", "bytes", `${md5} (16 bytes)`],
        ["toHex()", "text", `"${md5}" (32 chars)`],
      ],
    },
    {
      expr: `hash.append(" x\\ty\\r\\u0000\\u00a0\\u200b\\u007f ")`,
      steps: [['append(" x\\ty\\r\\u0000\\u00a0\\u200b\\u007f ")', "text", '" x⇥y␍␀⟨U+00A0⟩⟨U+200B⟩␡ " (10 chars)']],
    },
    {
      expr: `hash.append("")`,
      steps: [['append("")', "text", '"" (0 chars)']],
    },
    {
      expr: `hash.append(-60).append(hash.getExpiryTime(-60))`,
      steps: [
        ["append(-60)", "text", '"-60" (3 chars)'],
        ["append(hash.getExpiryTime(-60))", "text", `"-60${NOW / 1000 - 60}" (13 chars)`],
        ["  getExpiryTime(-60)", "text", `"${NOW / 1000 - 60}" (10 chars)`],
      ],
    },
    {
      expr: `hash.append('single "quoted"').toHex()`,
      steps: [
        [`append('single "quoted"')`, "text", '"single "quoted"" (15 chars)'],
        ["toHex()", "text", `"${Buffer.from('single "quoted"').toString("hex")}" (30 chars)`],
      ],
    },
  ])("$expr", ({ expr, steps }) => {
    expect(table(explainExpression(expr, { now: NOW }))).toEqual(steps);
  });

  it("cuts a long text short and gives its whole length", () => {
    const long = "x".repeat(300);
    const [step] = explainExpression(`hash.append("${long}")`).blocks[0]?.steps ?? [];
    expect(step?.value.preview).toBe(`"${"x".repeat(160)}…" (300 chars)`);
    expect(step?.value.value).toBe(long);
  });

  it("does not cut a character in two", () => {
    const text = `${"x".repeat(159)}😀${"y".repeat(10)}`;
    const [step] = explainExpression(`hash.append("${text}")`).blocks[0]?.steps ?? [];
    expect(step?.value.preview).toBe(`"${"x".repeat(159)}…" (171 chars)`);
  });

  it("keeps the whole value beside the preview: text as is, bytes as hex", () => {
    const steps = explainExpression(`hash.append("a\\n").encodeSha256().encodeBase64()`).blocks[0]?.steps ?? [];
    expect(steps.map((s) => s.value.value)).toEqual([
      "a\n",
      hex("sha256", "a\n"),
      createHash("sha256").update("a\n").digest("base64"),
    ]);
    expect(steps.map((s) => s.value.length)).toEqual([2, 32, 44]);
  });

  it.runIf(methods.has("fromHex"))("cuts long bytes short after 64", () => {
    const bytes = "ab".repeat(65);
    const [step] = explainExpression(`hash.fromHex("${bytes}").toHex()`).blocks[0]?.steps ?? [];
    expect(step?.value.preview).toBe(`${"ab".repeat(64)}… (65 bytes)`);
  });
});

describe("a template", () => {
  it("explains the Moz signature: every step, the nested clock, the key masked", () => {
    const e = explain(MOZ, { now: NOW });
    const signed = `${ACCESS_ID}\n${EXPIRES}`;
    const mac = hmac("sha1", MOZ_KEY, signed).digest();
    const base64 = mac.toString("base64");
    expect(e.now).toBe(NOW);
    expect(e.blocks).toHaveLength(2);
    expect(table(e, 0)).toEqual([["getExpiryTime(240)", "text", `"${EXPIRES}" (10 chars)`]]);
    expect(table(e, 1)).toEqual([
      [`append("${ACCESS_ID}")`, "text", `"${ACCESS_ID}" (19 chars)`],
      ["appendNewLine()", "text", `"${ACCESS_ID}⏎" (20 chars)`],
      ["append(hash.getExpiryTime(240))", "text", `"${ACCESS_ID}⏎${EXPIRES}" (30 chars)`],
      ["  getExpiryTime(240)", "text", `"${EXPIRES}" (10 chars)`],
      ['encodeHmacSha1("••••••")', "bytes", `${mac.toString("hex")} (20 bytes)`],
      ["encodeBase64()", "text", `"${base64}" (28 chars)`],
      ["encodeURL()", "text", `"${rfc3986(base64)}" (${rfc3986(base64).length} chars)`],
      ["printDigest()", "text", `"${rfc3986(base64)}" (${rfc3986(base64).length} chars)`],
    ]);
    const key = e.blocks[1]?.steps[3]?.args[0];
    expect(key).toEqual({
      param: "key",
      key: true,
      source: '"••••••"',
      value: { kind: "text", length: 32, secret: true, preview: "•••••• (32 chars)" },
    });
    expect(e.blocks[1]?.output.value).toBe(rfc3986(base64));
    expect(JSON.stringify(e)).not.toContain(MOZ_KEY);
  });

  it("gives every block its span and its source, keys masked", () => {
    const blocks = [
      `{hash.append("x").toHex().printDigest();}`,
      "<hash.getExpiryTime(60);>",
      `{ hash.append("y").encodeHmacSha256('k').toHex().printDigest(); }`,
    ];
    const template = `a=${blocks[0]}\nb=${blocks[1]}&c=${blocks[2]}`;
    const e = explain(template, { now: NOW });
    const at = (block: string, line: number, lineStart: number) => {
      const offset = template.indexOf(block);
      return { offset, line, column: offset - lineStart + 1, length: block.length };
    };
    const secondLine = template.indexOf("\n") + 1;
    expect(e.blocks.map((b) => ({ span: b.span, source: b.source }))).toEqual([
      { span: at(blocks[0] as string, 1, 0), source: blocks[0] },
      { span: at(blocks[1] as string, 2, secondLine), source: blocks[1] },
      {
        span: at(blocks[2] as string, 2, secondLine),
        source: `{hash.append("y").encodeHmacSha256("••••••").toHex().printDigest();}`,
      },
    ]);
    expect(e.blocks[1]?.span.column).toBe(3);
    expect(e.result).toBe(`a=78\nb=${NOW / 1000 + 60}&c=${hmac("sha256", "k", "y").digest("hex")}`);
  });

  it("has no blocks when there is nothing to expand", () => {
    expect(explain("https://example.com/{date.today}<b>", { now: NOW })).toEqual({
      result: "https://example.com/{date.today}<b>",
      now: NOW,
      blocks: [],
    });
  });
});

describe("the result is what expand() and evaluate() give", () => {
  const templates = [
    MOZ,
    `{hash.getExpiryTime(1);}{hash.getExpiryTime(2);}<hash.append(hash.getExpiryTime(3)).toHex().printDigest();>`,
    `x={hash.append("a").encodeHmacSha1(hash.append("k").encodeMd5()).encodeBase64().printDigest();}`,
    `{hash.getSecret("s");}|{hash.append(hash.getSecret("s")).encodeSha1().toHex().printDigest();}`,
    "no blocks at all",
    "",
  ];
  const options: ExplainOptions = { now: NOW, secrets: { s: "the secret" } };

  it.each(templates)("explain(%j)", (template) => {
    expect(explainAndExpand(template, options).result).toBe(expand(template, options));
    expect(explain(template, { ...options, revealSecrets: true }).result).toBe(expand(template, options));
    // The trace's own result masks what a secret put there, and only that.
    const masked = expand(template, options).replaceAll("the secret", "••••••");
    expect(explain(template, options).result).toBe(masked);
  });

  it.each([
    `hash.append("a").toHex()`,
    `hash.getExpiryTime(240);`,
    `hash.append("a").toHex().printDigest();`,
    `  {hash.append(" a").appendNewLine().printDigest();}\n`,
    `<hash.getSecret("s");>`,
  ])("explainExpression(%j)", (expression) => {
    expect(explainAndEvaluate(expression, options).result).toBe(evaluate(expression, options));
    expect(explainExpression(expression, { ...options, revealSecrets: true }).result).toBe(
      evaluate(expression, options),
    );
    const masked = evaluate(expression, options).replaceAll("the secret", "••••••");
    expect(explainExpression(expression, options).result).toBe(masked);
  });

  it("reads the clock once for every block, as expand() does", () => {
    let clock = NOW;
    const now = vi.spyOn(Date, "now").mockImplementation(() => (clock += 1000));
    try {
      const e = explain(`{hash.getExpiryTime(0);}|{hash.append(hash.getExpiryTime(0)).printDigest();}`);
      expect(now).toHaveBeenCalledTimes(1);
      expect(e.now).toBe(NOW + 1000);
      expect(e.result).toBe(`${NOW / 1000 + 1}|${NOW / 1000 + 1}`);
    } finally {
      now.mockRestore();
    }
  });
});

describe("secrets are masked", () => {
  const SECRET = "s3cr3t-VALUE";
  const KEY = "literal-KEY-42";
  const options = { now: NOW, secrets: { api: SECRET } };

  /** What must never appear in a trace: the values and what encodings make of them. */
  const leaks = (value: string) => [
    value,
    Buffer.from(value).toString("hex"),
    Buffer.from(value).toString("base64").replace(/=+$/, ""),
    hex("md5", value),
  ];

  afterEach(() => vi.restoreAllMocks());

  it.each([
    {
      name: "a key literal",
      expr: `hash.append("a").encodeHmacSha1("${KEY}").toHex()`,
      masked: [],
      shown: ["append", 'encodeHmacSha1("••••••")', "toHex"],
    },
    {
      name: "a nested key, every step of it, digests included",
      expr: `hash.append("a").encodeHmacSha256(hash.append("${KEY}").encodeMd5()).toHex()`,
      masked: ['  append("••••••")', "  encodeMd5()"],
      shown: ["append", "encodeHmacSha256", "toHex"],
    },
    {
      name: "a secret, where it is read and through append and the encodings",
      expr: `hash.append("a").append(hash.getSecret("api")).encodeBase64().toHex()`,
      masked: ['  getSecret("api")', 'append(hash.getSecret("api"))', "encodeBase64()", "toHex()"],
      shown: ['append("a")'],
    },
    {
      name: "a secret, until a digest",
      expr: `hash.getSecret("api").appendNewLine().encodeSha1().toHex()`,
      masked: ['getSecret("api")', "appendNewLine()"],
      shown: ["encodeSha1", "toHex"],
    },
    {
      name: "a secret as the key",
      expr: `hash.append("a").encodeHmacSha256(hash.getSecret("api")).encodeBase64()`,
      masked: ['  getSecret("api")'],
      shown: ['append("a")', "encodeHmacSha256", "encodeBase64"],
    },
  ])("$name", ({ expr, masked, shown }) => {
    const e = explainExpression(expr, options);
    const rows = table(e);
    for (const [call, , preview] of rows) {
      const isMasked = masked.includes(call as string);
      const isShown = shown.some((s) => (call as string).startsWith(s));
      expect(isMasked || isShown, `${call} is listed`).toBe(true);
      expect(preview?.startsWith("•••••• ("), `${call}: ${preview}`).toBe(isMasked);
    }
    const json = JSON.stringify(e);
    const text = formatExplanation(e);
    for (const leak of [...leaks(SECRET), ...leaks(KEY), ...leaks(`a${SECRET}`)]) {
      expect(json).not.toContain(leak);
      expect(text).not.toContain(leak);
    }
    // Masked values keep their length, which tells a stray space from a good key.
    expect(json).toMatch(/•••••• \(\d+ (chars|bytes?)\)/);
  });

  it("gives the length in the mask", () => {
    const e = explainExpression(`hash.append("a").encodeHmacSha1(hash.getSecret("api")).toHex()`, {
      secrets: { api: `${SECRET} ` },
    });
    expect(e.blocks[0]?.steps[1]?.args[0]?.value?.preview).toBe(`•••••• (${SECRET.length + 1} chars)`);
  });

  it("shows the name of a secret, even inside a key", () => {
    const e = explainExpression(`hash.append("a").encodeHmacSha1(hash.getSecret("api")).toHex()`, options);
    expect(e.blocks[0]?.steps[1]?.call).toBe(`encodeHmacSha1(hash.getSecret("api"))`);
    expect(formatExplanation(e)).toContain(`key = hash.getSecret("api")`);
  });

  it("masks the output of a block that is itself secret, in the result too (explainAndExpand gives it)", () => {
    const e = explain(`x={hash.getSecret("api");}`, options);
    expect(e.blocks[0]?.output).toEqual({
      kind: "text",
      length: SECRET.length,
      secret: true,
      preview: "•••••• (12 chars)",
    });
    expect(e.result).toBe("x=••••••");
    expect(explainAndExpand(`x={hash.getSecret("api");}`, options).result).toBe(`x=${SECRET}`);
  });

  it("shows everything with revealSecrets, still marking what is secret", () => {
    const expr = `hash.append("a").append(hash.getSecret("api")).encodeHmacSha1("${KEY}").toHex()`;
    const e = explainExpression(expr, { ...options, revealSecrets: true });
    expect(table(e)).toEqual([
      ['append("a")', "text", '"a" (1 char)'],
      ['append(hash.getSecret("api"))', "text", `"a${SECRET}" (13 chars)`],
      ['  getSecret("api")', "text", `"${SECRET}" (12 chars)`],
      [`encodeHmacSha1("${KEY}")`, "bytes", `${hmac("sha1", KEY, `a${SECRET}`).digest("hex")} (20 bytes)`],
      ["toHex()", "text", `"${hmac("sha1", KEY, `a${SECRET}`).digest("hex")}" (40 chars)`],
    ]);
    expect(e.blocks[0]?.steps.map((s) => s.value.secret)).toEqual([false, true, false, false]);
    expect(e.blocks[0]?.steps[2]?.args[0]?.value).toEqual({
      kind: "text",
      length: KEY.length,
      secret: true,
      preview: `"${KEY}" (14 chars)`,
      value: KEY,
    });
  });

  it("masks the block's source line like an error excerpt", () => {
    const e = explain(`{hash.append("a").encodeHmacSha1("${KEY}").toHex().printDigest();}`, options);
    expect(e.blocks[0]?.source).toBe(`{hash.append("a").encodeHmacSha1("••••••").toHex().printDigest();}`);
  });
});

describe("errors", () => {
  const options = { now: NOW };

  it.each([
    `{hash.appnd("x").printDigest();}`,
    `a{hash.append("x").encodeHmacSha265("${MOZ_KEY}").toHex().printDigest();}b`,
    `{hash.append("x").encodeMd5();}&{hash.append(1.5).printDigest();}`,
    `{hash.append("unterminated).printDigest();}`,
    `{hash.append("x").printDigest();`,
    `{hash.getSecret("missing");}`,
  ])("explain(%j) throws what expand() throws", (template) => {
    const expected = shown(errorOf(() => expand(template, options)));
    expect(shown(errorOf(() => explain(template, options)))).toEqual(expected);
  });

  it("stops at the value size limit as expand() does", () => {
    const template = `{hash.append("${"x".repeat(100)}").encodeBase64().encodeBase64().printDigest();}`;
    const limited = { ...options, limits: { maxValueSize: 150 } };
    const expected = shown(errorOf(() => expand(template, limited)));
    expect(expected.code).toBe("LIMIT_EXCEEDED");
    expect(shown(errorOf(() => explain(template, limited)))).toEqual(expected);
  });

  it.each([
    `hash.appnd("x")`,
    `hash.append("a").encodeMd5()`,
    `hash.append("x").encodeHmacSha1("${MOZ_KEY}")`,
    `hash.append(`,
    `nonsense`,
    `{hash.append("a");}`,
    `{hash.appnd("a").printDigest();} trailing`,
    `{hash.append("a").printDigest();} trailing`,
    `hash.getSecret("missing")`,
    `{hash.getSecret("missing");}`,
    ``,
  ])("explainExpression(%j) throws what evaluate() throws", (expression) => {
    const expected = shown(errorOf(() => evaluate(expression, options)));
    expect(shown(errorOf(() => explainExpression(expression, options)))).toEqual(expected);
  });
});

describe("the step table", () => {
  it("writes each chain as code, nested chains and keys under the call they feed", () => {
    const lines = formatExplanation(explain(MOZ, { now: NOW })).split("\n");
    const mac = hmac("sha1", MOZ_KEY, `${ACCESS_ID}\n${EXPIRES}`).digest("hex");
    expect(lines[0]).toBe(`clock 2023-11-14T22:13:20.000Z (epoch seconds ${NOW / 1000})`);
    expect(lines).toContain("block 1 of 2 · line 1, column 107 · {hash.getExpiryTime(240);}");
    const rows = lines.filter((l) => l.startsWith("  ")).map((l) => l.trim().replace(/ {2,}/g, " | "));
    expect(rows).toEqual([
      `hash.getExpiryTime(240) | text | "${EXPIRES}" (10 chars)`,
      `→ output | text | "${EXPIRES}" (10 chars)`,
      `hash.append("${ACCESS_ID}") | text | "${ACCESS_ID}" (19 chars)`,
      `.appendNewLine() | text | "${ACCESS_ID}⏎" (20 chars)`,
      `.append(value) | text | "${ACCESS_ID}⏎${EXPIRES}" (30 chars)`,
      `value = hash.getExpiryTime(240) | text | "${EXPIRES}" (10 chars)`,
      `.encodeHmacSha1(key) | bytes | ${mac} (20 bytes)`,
      `key = "••••••" | text | •••••• (32 chars)`,
      expect.stringMatching(/^\.encodeBase64\(\) \| text \| "[^"]+=" \(28 chars\)$/),
      expect.stringMatching(/^\.encodeURL\(\) \| text \| "[^"]+%3D" \(30 chars\)$/),
      expect.stringMatching(/^\.printDigest\(\) \| text \| "[^"]+%3D" \(30 chars\)$/),
      expect.stringMatching(/^→ output \| text \| "[^"]+%3D" \(30 chars\)$/),
    ]);
    // Calls go on four columns in; what feeds a call two further.
    const indented = lines.filter((l) => l.startsWith(" "));
    expect(indented.find((l) => l.includes(".appendNewLine()"))).toMatch(/^ {6}\.appendNewLine\(\)/);
    expect(indented.find((l) => l.includes("value = "))).toMatch(/^ {8}value = hash/);
    expect(indented.find((l) => l.includes("key = "))).toMatch(/^ {8}key = /);
  });

  it("lines up the calls of a nested chain under its first", () => {
    const text = formatExplanation(
      explainExpression(`hash.append("a").encodeHmacSha1(hash.append("k").encodeMd5()).toHex()`),
    );
    const lines = text.split("\n").filter((l) => l.startsWith("  "));
    const first = lines.find((l) => l.includes("key = hash.append")) as string;
    const second = lines.find((l) => l.includes(".encodeMd5()")) as string;
    expect(second.indexOf(".")).toBe(first.indexOf("hash") + "hash".length);
  });

  it("aligns the kinds in one column", () => {
    const lines = formatExplanation(explain(MOZ, { now: NOW }))
      .split("\n")
      .filter((l) => / {2}(text|bytes) /.test(l));
    expect(new Set(lines.map((l) => l.search(/ (text|bytes) /))).size).toBe(1);
  });

  it("says when there is no block", () => {
    expect(formatExplanation(explain("plain", { now: NOW }))).toBe(
      `clock 2023-11-14T22:13:20.000Z (epoch seconds ${NOW / 1000})\n\nno hash blocks: the template is kept as it is\n`,
    );
  });

  it("is in colour only when asked", () => {
    const e = explain(MOZ, { now: NOW });
    expect(formatExplanation(e, { color: true })).toContain("\x1b[");
    expect(formatExplanation(e)).not.toContain("\x1b[");
    const ansi = new RegExp(`${String.fromCharCode(27)}\\[\\d+m`, "g");
    expect(formatExplanation(e, { color: true }).replace(ansi, "")).toBe(formatExplanation(e));
  });
});

// docs/debugging-403.md pastes real runs; these keep them honest. A transcript (a command and
// its output) must be what the command prints now; an excerpt of a trace must be part of what
// the mistake it shows prints now.
describe("docs/debugging-403.md", () => {
  const doc = readFileSync(new URL("../docs/debugging-403.md", import.meta.url), "utf8");
  const blocks = [...doc.matchAll(/^```text\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);

  /** Runs the CLI in-process, stderr and stdout in one text in the order they were written. */
  async function cli(argv: string[]): Promise<string> {
    let out = "";
    const write = { write: (text: string) => (out += text) };
    const io: Io = {
      stdout: write,
      stderr: write,
      readStdin: async () => "",
      stdinIsTTY: true,
      stderrIsTTY: false,
      env: {},
    };
    await main(argv, io);
    return out;
  }

  /** The words of a command line of single-quoted and bare words. */
  const words = (line: string) => [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");

  const transcripts = blocks.filter((b) => b.startsWith("$ hash-helper expand --explain "));

  it("has the Moz and the Unleashed transcripts", () => {
    expect(transcripts).toHaveLength(2);
    expect(transcripts[0]).toContain("lsapi.seomoz.com");
    expect(transcripts[1]).toContain("customerCode=ACME");
  });

  it.each(transcripts.map((t) => ({ command: t.slice(0, t.indexOf("\n")), output: t.slice(t.indexOf("\n") + 1) })))(
    "$command",
    async ({ command, output }) => {
      expect(await cli(words(command).slice(2))).toBe(output);
    },
  );

  const moz = (signature: string, expires = "{hash.getExpiryTime(240);}") =>
    `https://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2fblog?Cols=4&AccessID=${ACCESS_ID}&Expires=${expires}&Signature={${signature}}`;
  const mistakes = [
    {
      section: "### A missing line feed",
      argv: [
        moz(
          `hash.append("${ACCESS_ID}").append(hash.getExpiryTime(240)).encodeHmacSha1("${MOZ_KEY}").encodeBase64().encodeURL().printDigest();`,
        ),
      ],
    },
    {
      section: "### `Expires` and the signature disagree",
      argv: [
        moz(
          `hash.append("${ACCESS_ID}").appendNewLine().append(hash.getExpiryTime(240)).encodeHmacSha1("${MOZ_KEY}").encodeBase64().encodeURL().printDigest();`,
          "{hash.getExpiryTime(300);}",
        ),
      ],
    },
    {
      section: "### Base64 that was not URL-encoded",
      argv: [
        moz(
          `hash.append("${ACCESS_ID}").appendNewLine().append(hash.getExpiryTime(240)).encodeHmacSha1("${MOZ_KEY}").encodeBase64().printDigest();`,
        ),
      ],
    },
    {
      section: "### A key with a stray space",
      argv: [
        "--secret",
        "unleashed=example-unleashed-api-key ",
        `{hash.append("customerCode=ACME").encodeHmacSha256(hash.getSecret("unleashed")).encodeBase64().printDigest();}`,
      ],
    },
    {
      section: "### The query string",
      argv: [
        "--secret",
        "unleashed=example-unleashed-api-key",
        `{hash.append("customerCode=ACME").encodeHmacSha256(hash.getSecret("unleashed")).encodeBase64().printDigest();}`,
      ],
    },
  ];

  it.each(mistakes)("$section", async ({ section, argv }) => {
    const from = doc.indexOf(section);
    expect(from).toBeGreaterThan(0);
    const excerpt = /^```text\n([\s\S]*?)^```$/m.exec(doc.slice(from))?.[1] ?? "";
    const output = await cli(["expand", "--explain", "--now", "2024-01-02T03:04:05Z", ...argv]);
    expect(excerpt.length).toBeGreaterThan(0);
    expect(output).toContain(excerpt);
  });
});

describe("explainRequest", () => {
  const request = {
    method: "POST",
    url: "https://api.example.com/v1/items?page={hash.append(2).printDigest();}",
    headers: [
      ["X-Sig", `{hash.getRequestQuery().encodeHmacSha256(hash.getSecret("api")).toHex().printDigest();}`],
      ["X-Plain", "no blocks"],
    ] as [string, string][],
    body: `{"at":{hash.getExpiryTime(0);}}`,
  };
  const options = { now: 1_700_000_000_000, secrets: { api: "api-secret-value" } };

  it("signs exactly what signRequest signs, on one clock, and traces each part with blocks", () => {
    const explained = explainRequest(request, options);
    expect(explained.signed).toEqual(signRequest(request, options));
    expect(explained.now).toBe(options.now);
    expect(explained.parts.map((p) => p.where)).toEqual(["URL", "body", "header X-Sig"]);
    const sig = explained.parts[2]?.blocks[0];
    expect(sig?.output.value).toBe(createHmac("sha256", "api-secret-value").update("page=2").digest("hex"));
  });

  it("masks the secret in the steps and in the formatted table", () => {
    const explained = explainRequest(request, options);
    const table = formatRequestExplanation(explained);
    expect(JSON.stringify(explained)).not.toContain("api-secret-value");
    expect(table).not.toContain("api-secret-value");
    expect(table).toContain("header X-Sig, block 1 of 1");
    expect(table.match(/^clock /gm)).toHaveLength(1);
  });
});

describe("explainRequest masks what request functions read from parts built from secrets", () => {
  const SECRET = "SECRETVAL99";
  const request = {
    url: `http://x/p?apikey={hash.getSecret("k");}&a=1`,
    body: `{hash.getSecret("k");}`,
    headers: [
      ["A", `apikey={hash.getSecret("k");}`],
      ["Q", `{hash.getRequestQuery().encodeHmacSha256("kk").toHex().printDigest();}`],
      ["H", `{hash.getRequestHeader("a").toHex().printDigest();}`],
      ["B", `{hash.getRequestBody().toHex().printDigest();}`],
      ["HH", `{hash.getRequestHeader("H").printDigest();}`], // a header that read a secret's header
      ["Plain", `{hash.getRequestMethod().append(" ").printDigest();}`],
    ] as [string, string][],
  };
  const secretHex = Buffer.from(SECRET).toString("hex");

  it("in the data and in the table", () => {
    const explained = explainRequest(request, { secrets: { k: SECRET } });
    for (const text of [JSON.stringify(explained.parts), formatRequestExplanation(explained)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(secretHex);
    }
    const outputOf = (where: string) => explained.parts.find((p) => p.where === where)?.blocks[0]?.output;
    expect(outputOf("header HH")?.secret).toBe(true);
    expect(outputOf("header Q")?.secret).toBe(false); // a MAC gives nothing away
    expect(outputOf("header Plain")?.value).toBe("GET "); // nothing secret went into the method
  });

  it("and shows them when asked", () => {
    const explained = explainRequest(request, { secrets: { k: SECRET }, revealSecrets: true });
    expect(JSON.stringify(explained.parts)).toContain(SECRET);
  });
});

describe("a key given through a named value is masked as the key it is", () => {
  const KEY = "LETKEYVALUE";
  const TEMPLATE = `{hash.let("k","${KEY}").append("x").encodeHmacSha1(hash.get("k")).toHex().printDigest();}`;
  const MAC = () => hmac("sha1", KEY, `${KEY}x`).digest("hex");
  /** The key and what encodings make of it. */
  const leaks = [KEY, Buffer.from(KEY).toString("hex"), Buffer.from(KEY).toString("base64").replace(/=+$/, "")];
  const noLeak = (...texts: string[]) => {
    for (const text of texts) for (const leak of leaks) expect(text).not.toContain(leak);
  };

  it("in the steps, the block's source, the result and the table; the MAC is shown", () => {
    const e = explain(TEMPLATE, { now: NOW });
    expect(table(e)).toEqual([
      ['let("k", "••••••")', "text", "•••••• (11 chars)"],
      ['append("x")', "text", "•••••• (12 chars)"],
      ['encodeHmacSha1(hash.get("k"))', "bytes", `${MAC()} (20 bytes)`],
      ['  get("k")', "text", "•••••• (11 chars)"],
      ["toHex()", "text", `"${MAC()}" (40 chars)`],
      ["printDigest()", "text", `"${MAC()}" (40 chars)`],
    ]);
    expect(e.blocks[0]?.steps[0]?.args[1]).toMatchObject({ param: "value", key: true, source: '"••••••"' });
    expect(e.blocks[0]?.source).toBe(
      `{hash.let("k", "••••••").append("x").encodeHmacSha1(hash.get("k")).toHex().printDigest();}`,
    );
    expect(e.result).toBe(MAC());
    const text = formatExplanation(e);
    expect(text).toContain(`hash.let("k", value)`);
    expect(text).toMatch(/value = "••••••"\s+text\s+•••••• \(11 chars\)/);
    noLeak(JSON.stringify(e), text);
  });

  it("across blocks, nested and through fromHex, whichever block comes first", () => {
    const hexKey = Buffer.from(KEY).toString("hex");
    const t =
      `{hash.append("x").encodeHmacSha256(hash.fromHex(hash.get("h")).append(hash.get("n"))).toHex().printDigest();}` +
      `&n={hash.let("n", 4242);}&h={hash.let("h", hash.append("${hexKey}"));}`;
    const e = explain(t, { now: NOW });
    noLeak(JSON.stringify(e), formatExplanation(e));
    expect(JSON.stringify(e)).not.toContain("4242");
    expect(e.result).toBe(`${createHmac("sha256", `${KEY}4242`).update("x").digest("hex")}&n=••••••&h=••••••`);
    expect(e.blocks[2]?.steps[0]?.args[1]?.steps?.[0]?.call).toBe(`append("••••••")`);
  });

  it("where the name is read as a key and as data too: masked both times", () => {
    const t = `a={hash.get("k");}&sig={hash.append("x").encodeHmacSha1(hash.get("k")).toHex().printDigest();}&{hash.let("k", "${KEY}");}`;
    const { explanation, result } = explainAndExpand(t, { now: NOW });
    expect(result.startsWith(`a=${KEY}&sig=`)).toBe(true);
    expect(explanation.result.startsWith("a=••••••&sig=")).toBe(true);
    expect(explanation.blocks[0]?.output.secret).toBe(true);
    noLeak(JSON.stringify(explanation), formatExplanation(explanation));
  });

  it("leaves a named value read only as data alone", () => {
    const e = explain(`{hash.let("d", "datum").append(hash.get("d")).encodeHmacSha1("${KEY}").toHex().printDigest();}`);
    expect(table(e).slice(0, 2)).toEqual([
      ['let("d", "datum")', "text", '"datum" (5 chars)'],
      ['append(hash.get("d"))', "text", '"datumdatum" (10 chars)'],
    ]);
  });

  it("in a bare expression", () => {
    const e = explainExpression(`hash.let("k", "${KEY}").append("x").encodeHmacSha1(hash.get("k")).toHex()`);
    expect(table(e)[0]).toEqual(['let("k", "••••••")', "text", "•••••• (11 chars)"]);
    noLeak(JSON.stringify(e), formatExplanation(e));
  });

  it("shown with revealSecrets", () => {
    const e = explain(TEMPLATE, { revealSecrets: true });
    expect(table(e)[0]).toEqual([`let("k", "${KEY}")`, "text", `"${KEY}" (11 chars)`]);
  });

  it("in a signed request whose parts define and read it, and read the part back", () => {
    const request = {
      url: `https://api.example.com/v1?sig={hash.append("x").encodeHmacSha1(hash.get("k")).toHex().printDigest();}`,
      headers: [
        ["X-Key", `{hash.let("k", "${KEY}");}`],
        ["X-Echo", `{hash.getRequestHeader("X-Key").printDigest();}`],
      ] as [string, string][],
    };
    const { explanation, signed } = explainAndSignRequest(request, { now: NOW });
    expect(signed.url).toBe(`https://api.example.com/v1?sig=${hmac("sha1", KEY, "x").digest("hex")}`);
    expect(signed.headers).toEqual([
      ["X-Key", KEY],
      ["X-Echo", KEY],
    ]);
    expect(explanation.signed.headers).toEqual([
      ["X-Key", "••••••"],
      ["X-Echo", "••••••"],
    ]);
    const key = explanation.parts.find((p) => p.where === "header X-Key")?.blocks[0];
    expect(key?.steps[0]?.call).toBe(`let("k", "••••••")`);
    noLeak(JSON.stringify(explanation), formatRequestExplanation(explanation));
  });

  it("in the CLI's --explain and --json", async () => {
    for (const flag of ["--explain", "--json"]) {
      let all = "";
      const write = { write: (text: string) => (all += text) };
      const io: Io = {
        stdout: write,
        stderr: write,
        readStdin: async () => "",
        stdinIsTTY: true,
        stderrIsTTY: false,
        env: {},
      };
      await main(["expand", flag, TEMPLATE], io);
      expect(all).toContain(MAC());
      expect(all).toContain("••••••");
      // The expansion itself is the MAC, which is shown; the key never is.
      noLeak(all);
    }
  });
});
