import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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
