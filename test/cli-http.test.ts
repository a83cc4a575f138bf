import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The built binary (dist/cli.cjs) with .http files, lint, fetch --timeout, -L and --json, against
// local node:http servers.

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "dist/cli.cjs");
const { version } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
const dir = mkdtempSync(join(tmpdir(), "hash-helper-http-"));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function hashHelper(args: string[], input = ""): Promise<Result> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, HASH_HELPER_DEBUG: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end(input);
  });
}

const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const SECRET = "http-file-secret-93";

interface Seen {
  port: number;
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}
const seen: Seen[] = [];
const servers: Server[] = [];

/** A server that records each request and answers with `answer`, or never when it returns undefined. */
async function server(
  answer: (
    req: IncomingMessage,
    port: number,
  ) => { status: number; headers?: Record<string, string>; body?: string } | undefined,
) {
  const s = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const port = (s.address() as AddressInfo).port;
      seen.push({ port, method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const a = answer(req, port);
      if (!a) return; // never answers
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? "");
    });
  });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  servers.push(s);
  return (s.address() as AddressInfo).port;
}

let other: number; // a second origin
let main: number;
let silent: number;

beforeAll(async () => {
  other = await server(() => ({ status: 200, body: "other" }));
  main = await server((req) => {
    const url = new URL(req.url ?? "/", "http://x");
    const to = url.searchParams.get("to");
    if (url.pathname === "/redirect" && to)
      return { status: Number(url.searchParams.get("status") ?? 302), headers: { Location: to } };
    if (url.pathname === "/loop") return { status: 302, headers: { Location: "/loop" } };
    return { status: 200, body: `ok ${req.method} ${url.pathname}` };
  });
  silent = await server(() => undefined);
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  rmSync(dir, { recursive: true, force: true });
});

const last = () => seen.at(-1) as Seen;

describe("sign and fetch read a .http file", () => {
  it("runs docs/recipes/marvel.md's request as written, giving Marvel's published hash", async () => {
    const page = readFileSync(join(root, "docs/recipes/marvel.md"), "utf8");
    const block = /^```http\n([\s\S]*?)\n```$/m.exec(page)?.[1] ?? "";
    const r = await hashHelper(["sign", "--now", "1", "--secret", "marvel_private=abcd", file("marvel.http", block)]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // Marvel's documentation: ts 1, private key abcd, public key 1234 give this hash.
    expect(r.stdout).toBe(
      "GET https://gateway.marvel.com/v1/public/characters?ts=1&apikey=1234&hash=ffd275c5130566a2916217b101f26150\n\n",
    );
  });

  const TWO = [
    "### first",
    "GET https://x.test/1",
    "",
    "###",
    "# @name second",
    "POST https://x.test/2 HTTP/1.1",
    "Content-Type: text/plain",
    "",
    "{hash.getExpiryTime(5);}",
  ].join("\n");

  it.each([
    { how: "--name", args: ["--name", "second"], expected: "POST https://x.test/2\nContent-Type: text/plain\n\n5" },
    { how: "--name of ###", args: ["--name", "first"], expected: "GET https://x.test/1\n\n" },
  ])("picks a request with $how", async ({ args, expected }) => {
    const r = await hashHelper(["sign", "--now", "0", ...args, file("two.http", TWO)]);
    expect(r).toMatchObject({ code: 0, stdout: expected, stderr: "" });
  });

  it("reads - from standard input", async () => {
    const r = await hashHelper(["sign", "--now", "0", "-"], "PUT https://x.test/s\n\nt={hash.getExpiryTime(1);}\n");
    expect(r).toMatchObject({ code: 0, stdout: "PUT https://x.test/s\n\nt=1" });
  });

  it.each([
    {
      why: "several requests and no --name",
      args: [],
      message: /holds 2 requests: pick one with --name \('first', 'second'\)/,
    },
    {
      why: "a name it does not hold",
      args: ["--name", "secnd"],
      message: /no request named 'secnd': did you mean 'second'\?/,
    },
    {
      why: "-H beside a .http file",
      args: ["-H", "A: 1"],
      message: /do not apply to a request read from a \.http file/,
    },
  ])("usage error: $why", async ({ args, message }) => {
    const r = await hashHelper(["sign", ...args, file("two.http", TWO)]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split("\n")).toHaveLength(3);
  });

  it.each([
    {
      why: "a variable",
      text: `GET https://x.test/?k=${SECRET}&v={{token}}`,
      message: /line 1: \{\{…\}\} is a variable/,
    },
    { why: "a line that is no header", text: `GET https://x.test/\n${SECRET}`, message: /line 2: expected a header/ },
    { why: "no request", text: "# only a comment\n", message: /holds no request/ },
  ])("refuses $why, naming the line, not its text", async ({ text, message }) => {
    const r = await hashHelper(["sign", "--secret", `k=${SECRET}`, file("bad.http", text)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("a file of many requests: the usage error names the first 10 and counts the rest", async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `### r${i}\nGET https://x.test/${i}\n`).join("\n");
    const r = await hashHelper(["sign", file("many.http", many)]);
    expect(r.code).toBe(2);
    const [line = "", hint, end, ...more] = r.stderr.split("\n");
    expect({ hint, end, more }).toEqual({ hint: "Try 'hash-helper --help'.", end: "", more: [] });
    expect(line.length).toBeLessThan(300);
    expect(line).toContain("holds 10000 requests: pick one with --name ('r0', 'r1'");
    expect(line).toContain("'r9', … and 9990 more)");
    expect(line).not.toContain("'r10'");
    // --name that names none: the same short list.
    const named = await hashHelper(["sign", "--name", "nothing-like-it", join(dir, "many.http")]);
    expect(named.code).toBe(2);
    expect(named.stderr.length).toBeLessThan(400);
    expect(named.stderr).toContain("… and 9990 more)");
  });

  it("a missing file is one line, not ENOENT", async () => {
    const r = await hashHelper(["sign", join(dir, "missing.http")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.http: no such file\n/);
    expect(r.stderr).not.toContain("ENOENT");
  });
});

describe("hash-helper lint (built binary)", () => {
  // Klipfolio's Marvel example: ts sent with 300, signed with 240. Needs the lint rules (issue 14).
  const KLIPFOLIO_MARVEL =
    'https://gateway.marvel.com/v1/public/characters?ts={hash.getExpiryTime(300);}&apikey=1234&hash={hash.append(hash.getExpiryTime(240)).append(hash.getSecret("marvel_private")).append("1234").encodeMd5().toHex().printDigest();}';

  it("reports the offset mismatch of Klipfolio's Marvel example at the ts block, exit 1", async () => {
    const r = await hashHelper(["lint", "--secret", `marvel_private=${SECRET}`, KLIPFOLIO_MARVEL]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("warning");
    expect(r.stdout).not.toContain(SECRET);
    const json = await hashHelper(["lint", "--json", KLIPFOLIO_MARVEL]);
    const { diagnostics } = JSON.parse(json.stdout) as {
      diagnostics: { severity: string; span: { offset: number }; fix?: unknown }[];
    };
    const warning = diagnostics.find((d) => d.severity === "warning");
    expect(warning?.span.offset).toBeGreaterThanOrEqual(KLIPFOLIO_MARVEL.indexOf("{hash.getExpiryTime(300);}"));
    expect(warning?.fix).toBeDefined();
  });

  it.each(readdirSync(join(root, "docs/recipes")).filter((f) => f !== "README.md"))(
    "finds no warning in docs/recipes/%s, read as a .http file",
    async (page) => {
      const text = readFileSync(join(root, "docs/recipes", page), "utf8");
      const block = /^```http\n([\s\S]*?)\n```$/m.exec(text)?.[1] ?? "";
      const r = await hashHelper(["lint", file(`${page}.http`, block)]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
    },
  );

  it("reports every error of the template in one run, literals masked, exit 1", async () => {
    const r = await hashHelper(["lint", `x={hash.appnd("${SECRET}").printDigest();}&y={hash.getExpiryTime("a");}`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error\[UNKNOWN_METHOD\][\s\S]*error\[ARGUMENT_KIND\]/);
    expect(r.stdout).toMatch(/\n2 errors\n$/);
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stderr).toBe("");
  });

  it("an empty template on standard input is a usage error", async () => {
    const r = await hashHelper(["lint", "-"], "\n");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/standard input is empty/);
  });

  it("never prints a secret of a secrets file, in text or JSON", async () => {
    const env = file("lint.env", `k="${SECRET}"\n`);
    const template = `{hash.append("x").encodeHmacSha256(hash.getSecret("k")).toHex().printDigest();}{hash.append("${SECRET}").toHex().printDigest();}`;
    for (const extra of [[], ["--json"]]) {
      const r = await hashHelper(["lint", ...extra, "--secrets-file", env, template]);
      expect(`${r.stdout}${r.stderr}`).not.toContain(SECRET);
    }
  });
});

describe("lint of a .http file: spans and fixes in the file, not in the part", () => {
  interface Span {
    offset: number;
    line: number;
    column: number;
    length: number;
  }
  interface Found {
    code: string;
    where: string;
    span: Span;
    excerpt: { text: string; caretColumn: number };
    fix?: { span: Span; text: string };
  }
  const SIG = 'hash.append("x").encodeHmacSha1(hash.getSecret("k")).encodeBase64()';
  /** Line and column of an offset, counted here from the file's own text (a BOM is no column). */
  const lineAndColumn = (text: string, offset: number) => {
    const before = text.slice(0, offset).replace(/^\uFEFF/, "");
    const lines = before.split(/\r?\n/);
    return { line: lines.length, column: (lines.at(-1) ?? "").length + 1 };
  };
  const lintJson = async (path: string) =>
    (JSON.parse((await hashHelper(["lint", "--json", path])).stdout) as { diagnostics: Found[] }).diagnostics;

  it.each([
    { eol: "\n", bom: "" },
    { eol: "\r\n", bom: "\uFEFF" },
  ])("a header, a URL over continued lines and a body (eol $eol, BOM '$bom')", async ({ eol, bom }) => {
    const text =
      bom +
      [
        "### one",
        "GET https://x.test/a",
        `X-Sig:   {${SIG}.encodeURL().printDigest();}`,
        "",
        "###",
        "GET https://x.test/b",
        "    ?q=1",
        `    &sig={${SIG}.printDigest();}`,
        "",
        "###",
        "POST https://x.test/p",
        "Content-Type: text/plain",
        "",
        "first line",
        "ts={hash.getExpiryTime(300);}&hash={hash.append(hash.getExpiryTime(240)).encodeMd5().toHex().printDigest();}",
        "",
      ].join(eol);
    const path = file(`spans-${eol.length}.http`, text);
    const found = await lintJson(path);
    const byCode = (code: string) => found.find((d) => d.code === code) as Found;
    const cases = [
      // The span as the file holds it: the text there, its line and column counted by hand.
      { code: "URL_ENCODED_IN_HEADER", where: "header X-Sig", at: text.indexOf(".encodeURL()", text.indexOf("X-Sig")) },
      { code: "BASE64_NOT_URL_ENCODED", where: "URL", at: text.indexOf("encodeBase64()", text.indexOf("&sig=")) },
      { code: "SENT_AND_SIGNED_DIFFER", where: "body", at: text.indexOf("getExpiryTime(300)") },
    ];
    for (const { code, where, at } of cases) {
      const d = byCode(code);
      expect(d, code).toBeDefined();
      expect(d.where).toBe(where);
      expect(Math.abs(d.span.offset - at), code).toBeLessThanOrEqual(1);
      expect({ line: d.span.line, column: d.span.column }).toEqual(lineAndColumn(text, d.span.offset));
      if (d.fix)
        expect({ line: d.fix.span.line, column: d.fix.span.column }).toEqual(lineAndColumn(text, d.fix.span.offset));
      // The caret stands under the column said, in an excerpt shown from the line's start.
      if (!d.excerpt.text.startsWith("…")) expect(d.excerpt.caretColumn).toBe(d.span.column - 1);
    }
    expect(byCode("URL_ENCODED_IN_HEADER").excerpt.text).toMatch(/^X-Sig: {3}\{/);
    expect(byCode("URL_ENCODED_IN_HEADER").span.line).toBe(3);
    expect(byCode("BASE64_NOT_URL_ENCODED").span.line).toBe(8);
    expect(byCode("SENT_AND_SIGNED_DIFFER").span.line).toBe(15);
    // The text output says the file's line and column too.
    const shown = (await hashHelper(["lint", path])).stdout;
    const header = byCode("URL_ENCODED_IN_HEADER").span;
    expect(shown).toContain(`--> header X-Sig, line 3, column ${header.column}`);
    // Every fix applied to the file's text, the last first: lint again finds none of those rules.
    let fixed = text;
    const fixes = found.flatMap((d) => (d.fix ? [{ code: d.code, ...d.fix }] : []));
    expect(fixes.map((f) => f.code).sort()).toEqual(cases.map((c) => c.code).sort());
    for (const f of [...fixes].sort((a, b) => b.span.offset - a.span.offset)) {
      fixed = fixed.slice(0, f.span.offset) + f.text + fixed.slice(f.span.offset + f.span.length);
    }
    const again = await lintJson(file(`fixed-${eol.length}.http`, fixed));
    expect(again.map((d) => d.code).filter((c) => cases.some((x) => x.code === c))).toEqual([]);
    // What a fix turns the file into, written out by hand for the header: .encodeURL() gone.
    expect(fixed).toContain(`X-Sig:   {${SIG}.printDigest();}`);
    expect(fixed).toContain(`    &sig={${SIG}.encodeURL().printDigest();}`);
  });

  it("sign --explain: lint's notes after the trace say the file's line too", async () => {
    const text = ["GET https://x.test/", "Accept: */*", `X-Sig: {${SIG}.encodeURL().printDigest();}`].join("\n");
    const r = await hashHelper(["sign", "--explain", "--secret", "k=abc", file("explained.http", text)]);
    expect(r.code).toBe(0);
    const column = text.split("\n")[2]?.indexOf("encodeURL") ?? -1;
    expect(r.stderr).toContain(`--> header X-Sig, line 3, column ${column + 1}`);
  });

  it("sign: a template's error in a .http file says the file's line and column, in text and JSON", async () => {
    const text = [
      "GET https://x.test/",
      "Accept: */*",
      'X-Sig:  {hash.append("k-4242").encodeHmacSha265("k").toHex().printDigest();}',
    ].join("\n");
    const path = file("error.http", text);
    const column = (text.split("\n")[2]?.indexOf("encodeHmacSha265") ?? -1) + 1;
    const r = await hashHelper(["sign", path]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--> header X-Sig, line 3, column ${column}`);
    expect(r.stderr).toContain("3 | X-Sig:  {hash.append(");
    expect(r.stderr).not.toContain("k-4242");
    const j = await hashHelper(["sign", "--json", path]);
    const { error } = JSON.parse(j.stdout) as { error: { span: Span; problems: { span: Span }[] } };
    expect(error.span).toMatchObject({ line: 3, column, offset: text.indexOf("encodeHmacSha265") });
    expect(error.problems[0]?.span).toEqual(error.span);
    expect(j.stdout).not.toContain("k-4242");
  });

  it("--name picks one request, with the file's positions too", async () => {
    const text = [
      "### a",
      "GET https://x.test/",
      "",
      "### b",
      "GET https://x.test/",
      `X-Sig: {${SIG}.encodeURL().printDigest();}`,
    ].join("\n");
    const found = await (async () => {
      const r = await hashHelper(["lint", "--json", "--name", "b", file("named.http", text)]);
      return (JSON.parse(r.stdout) as { diagnostics: Found[] }).diagnostics;
    })();
    const d = found.find((x) => x.code === "URL_ENCODED_IN_HEADER") as Found;
    expect(d.span.line).toBe(6);
    expect(Math.abs(d.span.offset - text.indexOf(".encodeURL()"))).toBeLessThanOrEqual(1);
    expect(d.fix && text.slice(d.fix.span.offset, d.fix.span.offset + d.fix.span.length)).toBe(".encodeURL()");
  });
});

describe("a key written into a .http file is never shown", () => {
  const KEY_LITERAL = "literal-key-in-http-file-5150";
  const text = `GET https://x.test/?a=1\nX-Sig: {hash.getRequestQuery().encodeHmacSha256("${KEY_LITERAL}").toHex().printDigest();}\n`;
  it.each([
    { args: ["sign", "--json"] },
    { args: ["sign", "--explain"] },
    { args: ["lint"] },
    { args: ["lint", "--json"] },
  ])("$args", async ({ args }) => {
    const r = await hashHelper([...args, file("key.http", text)]);
    expect(r.code === 0 || r.code === 1).toBe(true);
    const shown = args.includes("--explain") ? r.stderr : `${r.stdout}${r.stderr}`;
    expect(shown).not.toContain(KEY_LITERAL);
  });

  it("nor in an error of the template", async () => {
    const r = await hashHelper([
      "sign",
      file("err.http", `GET https://x.test/\nX: {hash.append("${KEY_LITERAL}").encodeNothing();}\n`),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/UNKNOWN_METHOD/);
    expect(r.stderr).not.toContain(KEY_LITERAL);
  });
});

describe("fetch", () => {
  it("sends User-Agent: hash-helper/VERSION unless the request has one", async () => {
    await hashHelper(["fetch", `http://127.0.0.1:${main}/ua`]);
    expect(last().headers["user-agent"]).toBe(`hash-helper/${version}`);
    await hashHelper(["fetch", "-H", "User-Agent: mine/1", `http://127.0.0.1:${main}/ua`]);
    expect(last().headers["user-agent"]).toBe("mine/1");
  });

  it("--json prints the signed request and the response on stdout, nothing on stderr", async () => {
    const r = await hashHelper(["fetch", "--json", `http://127.0.0.1:${main}/j`]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout) as { signed: { url: string }; response: { status: number; body: string } };
    expect(doc.signed.url).toBe(`http://127.0.0.1:${main}/j`);
    expect(doc.response).toMatchObject({ status: 200, body: "ok GET /j" });
  });

  it("--timeout: gives up on a server that never answers, exit 4 with one line", async () => {
    const r = await hashHelper(["fetch", "--timeout", "1", `http://127.0.0.1:${silent}/`]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("hash-helper: no answer within 1 s (--timeout)\n");
    expect(r.ms).toBeLessThan(8000);
  });

  it("--timeout with --raw-path too, and --json says response null", async () => {
    const r = await hashHelper(["fetch", "--raw-path", "--json", "--timeout", "0.5", `http://127.0.0.1:${silent}/`]);
    expect(r.code).toBe(4);
    expect(JSON.parse(r.stdout)).toMatchObject({ response: null });
  });

  it.each(["soon", "-1", "1e3", "99999999"])("--timeout %s is a usage error", async (value) => {
    const r = await hashHelper(["fetch", `--timeout=${value}`, `http://127.0.0.1:${main}/`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--timeout/);
  });

  it.each([
    { command: "sign", flag: "--timeout=1" },
    { command: "sign", flag: "-L" },
    { command: "expand", flag: "--name=x" },
  ])("$flag is not for $command", async ({ command, flag }) => {
    const r = await hashHelper([command, flag, "https://x.test/"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is for .*, not /);
  });
});

describe("fetch --max-filesize: a response body is read up to a bound", () => {
  /** A server whose /forever writes until the client goes away. */
  let endless: number;
  /** Both ways of sending: fetch(), and node:http for --raw-path. */
  const VIA = [
    { flags: [] as string[], via: "fetch()" },
    { flags: ["--raw-path"], via: "--raw-path" },
  ];
  const bomb = gzipSync(Buffer.alloc(32 * 1024 * 1024, "a"));
  beforeAll(async () => {
    const s = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/small") {
        res.writeHead(200).end("x".repeat(1024));
        return;
      }
      if (url.pathname === "/bomb") {
        res.writeHead(200, { "Content-Encoding": "gzip" }).end(bomb);
        return;
      }
      // /forever, and /redirect: a 302 to /small whose own body never ends.
      const headers = url.pathname === "/redirect" ? { Location: "/small" } : {};
      res.writeHead(url.pathname === "/redirect" ? 302 : 200, headers);
      const chunk = Buffer.alloc(64 * 1024, "z");
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    servers.push(s);
    endless = (s.address() as AddressInfo).port;
  });

  it.each(VIA)("an endless body: stops at the bound, exit 4 with one line ($via)", async ({ flags }) => {
    const r = await hashHelper(["fetch", ...flags, "--max-filesize", "1M", `http://127.0.0.1:${endless}/forever`]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("hash-helper: the response body is larger than 1 MiB (--max-filesize): not read further\n");
    expect(r.ms).toBeLessThan(8000);
  });

  it.each(VIA)("a body that decodes past the bound (gzip) is refused too ($via)", async ({ flags }) => {
    const r = await hashHelper(["fetch", ...flags, "--max-filesize=1M", `http://127.0.0.1:${endless}/bomb`]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/larger than 1 MiB \(--max-filesize\)/);
  });

  it.each(VIA)("a body of exactly the bound is read whole ($via)", async ({ flags }) => {
    const r = await hashHelper(["fetch", ...flags, "--max-filesize", "1K", `http://127.0.0.1:${endless}/small`]);
    expect(r).toMatchObject({ code: 0, stdout: `200 OK\n${"x".repeat(1024)}\n` });
    const over = await hashHelper(["fetch", ...flags, "--max-filesize", "1023", `http://127.0.0.1:${endless}/small`]);
    expect(over.code).toBe(4);
    expect(over.stderr).toMatch(/larger than 1023 bytes/);
  });

  it.each(VIA)("-L drops a followed redirect's body unread, however long ($via)", async ({ flags }) => {
    const r = await hashHelper([
      "fetch",
      "-L",
      ...flags,
      "--max-filesize",
      "1M",
      `http://127.0.0.1:${endless}/redirect`,
    ]);
    expect(r).toMatchObject({ code: 0, stdout: `200 OK\n${"x".repeat(1024)}\n`, stderr: "" });
    // Without -L the redirect is the answer, and its body is bounded as any other.
    const unfollowed = await hashHelper([
      "fetch",
      ...flags,
      "--max-filesize",
      "1M",
      `http://127.0.0.1:${endless}/redirect`,
    ]);
    expect(unfollowed.code).toBe(4);
  });

  it("the default bound is 64 MiB, and the help says so", async () => {
    const r = await hashHelper(["fetch", "--help"]);
    expect(r.stdout).toMatch(/--max-filesize BYTES[\s\S]*Default 64M; 0 for none/);
  });

  it.each(["lots", "1T", "-1", "1.5M"])("--max-filesize %s is a usage error", async (value) => {
    const r = await hashHelper(["fetch", `--max-filesize=${value}`, `http://127.0.0.1:${endless}/small`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^hash-helper: --max-filesize takes bytes/);
  });
});

describe("fetch -L", () => {
  const KEY = "redirect-hmac-key";
  /** A request signing its own query, with a header built from a secret and an Authorization. */
  const signedArgs = (url: string) => [
    "fetch",
    "-L",
    "--secret",
    `k=${KEY}`,
    "-H",
    'Authorization: Bearer {hash.getSecret("k");}',
    "-H",
    'X-Signature: {hash.getRequestQuery().encodeHmacSha256(hash.getSecret("k")).toHex().printDigest();}',
    "-H",
    'X-Literal: {hash.append("m").encodeHmacSha1("literal-key-4711").toHex().printDigest();}',
    "-H",
    "Cookie: c=1",
    "-H",
    "X-Plain: kept",
    url,
  ];

  it("follows a redirect to the same origin, signing again for the new URL", async () => {
    const to = encodeURIComponent("/final?b=2&c=3");
    const r = await hashHelper(signedArgs(`http://127.0.0.1:${main}/redirect?to=${to}&status=302`));
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("200 OK\nok GET /final\n");
    const final = last();
    expect(final.url).toBe("/final?b=2&c=3");
    // Signed again: the HMAC of the new query, computed here by hand.
    expect(final.headers["x-signature"]).toBe(createHmac("sha256", KEY).update("b=2&c=3").digest("hex"));
    expect(final.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(final.headers.cookie).toBe("c=1");
    expect(final.headers["x-literal"]).toBe(createHmac("sha1", "literal-key-4711").update("m").digest("hex"));
  });

  it("to another origin: no Authorization, no Cookie, no header built from a secret", async () => {
    const to = encodeURIComponent(`http://localhost:${other}/elsewhere?x=1`);
    const r = await hashHelper(signedArgs(`http://127.0.0.1:${main}/redirect?to=${to}&status=307`));
    expect(r.stdout).toBe("200 OK\nother\n");
    const final = last();
    expect(final.port).toBe(other);
    expect(final.url).toBe("/elsewhere?x=1");
    expect(final.headers.authorization).toBeUndefined();
    expect(final.headers.cookie).toBeUndefined();
    expect(final.headers["x-signature"]).toBeUndefined();
    expect(final.headers["x-literal"]).toBeUndefined();
    expect(final.headers["x-plain"]).toBe("kept");
    expect(JSON.stringify(final.headers)).not.toContain(KEY);
  });

  it.each([
    { status: 303, method: "POST", sent: "GET", body: "" },
    { status: 302, method: "POST", sent: "GET", body: "" },
    { status: 301, method: "POST", sent: "GET", body: "" },
    { status: 307, method: "POST", sent: "POST", body: "data" },
    { status: 308, method: "PUT", sent: "PUT", body: "data" },
    { status: 302, method: "PUT", sent: "PUT", body: "data" },
  ])("$status after a $method sends a $sent", async ({ status, method, sent, body }) => {
    const to = encodeURIComponent("/after");
    const r = await hashHelper([
      "fetch",
      "-L",
      "-X",
      method,
      "-H",
      "Content-Type: text/plain",
      "--data",
      "data",
      `http://127.0.0.1:${main}/redirect?to=${to}&status=${status}`,
    ]);
    expect(r.code).toBe(0);
    expect(last()).toMatchObject({ method: sent, url: "/after", body });
    expect(last().headers["content-type"]).toBe(sent === "GET" ? undefined : "text/plain");
  });

  it.each([
    { why: "a header", flags: [] as string[] },
    { why: "a header, --json", flags: ["--json"] },
  ])(
    "to another origin, a template that reads a dropped header: not followed, exit 4, one line ($why)",
    async ({ flags }) => {
      const to = encodeURIComponent(`http://localhost:${other}/elsewhere`);
      const count = seen.length;
      const r = await hashHelper([
        "fetch",
        "-L",
        ...flags,
        "-H",
        "Authorization: Bearer plain-token-8086",
        "-H",
        // No key and no secret in it: this header itself goes to the other origin.
        'X-Sig: {hash.append(hash.getRequestHeader("authorization")).encodeSha256().toHex().printDigest();}',
        `http://127.0.0.1:${main}/redirect?to=${to}&status=302`,
      ]);
      expect(r.code).toBe(4);
      expect(r.stderr).toBe(
        "hash-helper: a redirect to another origin drops header 'Authorization' (credentials and headers built from a secret are not sent there), which the header X-Sig reads: not followed\n",
      );
      if (flags.length > 0) expect(JSON.parse(r.stdout)).toMatchObject({ response: null });
      else expect(r.stdout).toBe("");
      // The message names headers, never a value (--json prints the first request as signed, as sign --json does).
      expect(r.stderr).not.toContain("plain-token-8086");
      // The first request went out; nothing reached the other origin.
      expect(seen.slice(count).map((s) => s.port)).toEqual([main]);
    },
  );

  it("to another origin, a body built from a secret is not resent: exit 4", async () => {
    const to = encodeURIComponent(`http://localhost:${other}/elsewhere`);
    const before = seen.length;
    const r = await hashHelper([
      "fetch",
      "-L",
      "--secret",
      `k=${KEY}`,
      "--data",
      '{hash.getSecret("k");}',
      `http://127.0.0.1:${main}/redirect?to=${to}&status=307`,
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      "hash-helper: a redirect to another origin would send it a body built from a secret: not followed\n",
    );
    expect(seen.slice(before).map((s) => s.port)).toEqual([main]);
  });

  it("with --explain, traces each request it signs", async () => {
    const to = encodeURIComponent("/final?b=2");
    const r = await hashHelper([...signedArgs(`http://127.0.0.1:${main}/redirect?to=${to}`), "--explain"]);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/header X-Signature/g)).toHaveLength(2);
    expect(r.stderr).not.toContain(KEY);
  });

  it("without -L, the redirect is the answer", async () => {
    const r = await hashHelper(["fetch", `http://127.0.0.1:${main}/redirect?to=%2Fx`]);
    expect(r).toMatchObject({ code: 0, stdout: "302 Found\n" });
  });

  it("stops after 20 redirects with a clear error", async () => {
    const r = await hashHelper(["fetch", "-L", `http://127.0.0.1:${main}/loop`]);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe("hash-helper: more than 20 redirects: not followed further\n");
  });

  it("a Location that looks like a block is not run as one", async () => {
    const to = encodeURIComponent('/b?q={hash.getSecret("k");}');
    const r = await hashHelper(["fetch", "-L", "--secret", `k=${KEY}`, `http://127.0.0.1:${main}/redirect?to=${to}`]);
    expect(r.stderr).toBe("");
    expect(last().url).not.toContain(KEY);
    expect(last().url).toContain("%7Bhash.getSecret");
  });
});
