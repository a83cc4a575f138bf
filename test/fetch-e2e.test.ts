import { execFile, spawnSync } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatRequest } from "../src/shells/cli/cli-request.ts";
import { KEYS, startSigningServer } from "./fixtures/signing-server.ts";

// `hash-helper fetch` (the built binary) against a local server that verifies signatures the way
// Unleashed, LicenseSpring and Talon.One describe them: 200 when signed right, 403 when a byte of
// the key, the body or the query differs from what was signed.

const cli = fileURLToPath(new URL("../dist/cli.cjs", import.meta.url));
const run = promisify(execFile);

async function hashHelper(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], { timeout: 10_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

let server: Awaited<ReturnType<typeof startSigningServer>>;
const dir = mkdtempSync(join(tmpdir(), "hash-helper-e2e-"));
beforeAll(async () => {
  server = await startSigningServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const UNLEASHED_SIGNATURE = `{hash.getRequestQuery().encodeHmacSha256(hash.getSecret("unleashed")).encodeBase64().printDigest();}`;
const unleashed = (url: string, signature = UNLEASHED_SIGNATURE, key: string = KEYS.unleashed.key) => [
  "-H",
  "Accept: application/json",
  "-H",
  "Content-Type: application/json",
  "-H",
  `api-auth-id: ${KEYS.unleashed.id}`,
  "-H",
  "client-type: hashhelper/e2e",
  "-H",
  `api-auth-signature: ${signature}`,
  "--secret",
  `unleashed=${key}`,
  `${server.origin}${url}`,
];

const licenseSpring = (sharedKey: string = KEYS.licensespring.sharedKey) => [
  "-X",
  "POST",
  "-H",
  `Date: {hash.getDate("EEE, dd MMM yyyy HH:mm:ss 'GMT'");}`,
  "-H",
  `Authorization: algorithm="hmac-sha256", headers="date", signature="{hash.append("licenseSpring").appendNewLine().append("date: ").append(hash.getRequestHeader("Date")).encodeHmacSha256(hash.getSecret("ls_shared")).encodeBase64().printDigest();}", apikey="{hash.getSecret("ls_api");}"`,
  "--data",
  `{"license_key":"AAAA-BBBB-CCCC","hardware_id":"e2e"}`,
  "--secret",
  `ls_shared=${sharedKey}`,
  "--secret",
  `ls_api=${KEYS.licensespring.apiKey}`,
  `${server.origin}/licensespring/api/v4/activate_license`,
];

const talon = (bodyFile: string, key: string = KEYS.talon.applicationKey) => [
  "-X",
  "PUT",
  "-H",
  "Content-Type: application/json",
  "-H",
  `Content-Signature: signer=${KEYS.talon.applicationId}; signature={hash.getRequestBody().encodeHmacMd5(hash.fromHex(hash.getSecret("talon"))).toHex().printDigest();}`,
  "--data",
  `@${bodyFile}`,
  "--secret",
  `talon=${key}`,
  `${server.origin}/talon/v1/customer_sessions/s-1`,
];

/** One byte of a text changed: the last character's code moved by one. */
const oneByteOff = (s: string) => s.slice(0, -1) + String.fromCharCode(s.charCodeAt(s.length - 1) ^ 1);

describe("hash-helper fetch against a verifying server", () => {
  it.each([
    "/unleashed/Customers?customerCode=ACME",
    "/unleashed/Customers",
    "/unleashed/Products?pageSize=200&page=2",
  ])("Unleashed %s: 200", async (url) => {
    const r = await hashHelper(["fetch", ...unleashed(url)]);
    expect(r.stdout).toMatch(/^200 OK\n\{"ok":true/);
    expect(r.code).toBe(0);
  });

  it("Unleashed: 403 when a byte of the key differs", async () => {
    const r = await hashHelper([
      "fetch",
      ...unleashed("/unleashed/Customers?customerCode=ACME", undefined, oneByteOff(KEYS.unleashed.key)),
    ]);
    expect(r.stdout).toMatch(/^403 Forbidden\n/);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("--explain");
  });

  it("Unleashed: 403 when the signed query differs from the one sent by a byte", async () => {
    const signsOtherQuery = `{hash.append("customerCode=ACMF").encodeHmacSha256(hash.getSecret("unleashed")).encodeBase64().printDigest();}`;
    const r = await hashHelper(["fetch", ...unleashed("/unleashed/Customers?customerCode=ACME", signsOtherQuery)]);
    expect(r.stdout).toMatch(/^403 Forbidden\n/);
  });

  it("LicenseSpring: 200, and 403 with a byte of the shared key changed", async () => {
    const good = await hashHelper(["fetch", ...licenseSpring()]);
    expect(good.stdout).toMatch(/^200 OK\n/);
    const bad = await hashHelper(["fetch", ...licenseSpring(oneByteOff(KEYS.licensespring.sharedKey))]);
    expect(bad.stdout).toMatch(/^403 Forbidden\n/);
  });

  it("Talon.One: 200 for a body from a file, 403 with a byte of the key changed", async () => {
    const file = join(dir, "session.json");
    writeFileSync(file, JSON.stringify({ customerSession: { profileId: "ünïcode", state: "open", total: 12.5 } }));
    expect((await hashHelper(["fetch", ...talon(file)])).stdout).toMatch(/^200 OK\n/);
    const badKey = `${KEYS.talon.applicationKey.slice(0, -1)}e`;
    expect((await hashHelper(["fetch", ...talon(file, badKey)])).stdout).toMatch(/^403 Forbidden\n/);
  });

  it("Talon.One: 403 when the body sent differs by a byte from the body signed", async () => {
    const file = join(dir, "session2.json");
    writeFileSync(file, `{"customerSession":{"profileId":"p-2","total":3}}`);
    const signed = await hashHelper(["sign", ...talon(file)]);
    expect(signed.code).toBe(0);
    // The printed request: request line, headers, a blank line, the body.
    const [head = "", body = ""] = signed.stdout.split("\n\n");
    const [requestLine = "", ...headerLines] = head.split("\n");
    const [method = "", url = ""] = requestLine.split(" ");
    const headers = headerLines.map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]);
    const sendBody = async (b: string) =>
      (await fetch(url, { method, headers: headers as [string, string][], body: b })).status;
    expect(await sendBody(body)).toBe(200);
    expect(await sendBody(oneByteOff(body))).toBe(403);
  });

  it("-i prints the response headers too", async () => {
    const r = await hashHelper(["fetch", "-i", ...unleashed("/unleashed/Customers")]);
    expect(r.stdout).toMatch(
      /^200 OK\n(?:[a-z-]+: .*\n)*x-verified-by: signing-server\n(?:[a-z-]+: .*\n)*\n\{"ok":true/,
    );
  });
});

describe("hash-helper sign", () => {
  it("prints the request the way HTTP writes it", async () => {
    const r = await hashHelper([
      "sign",
      "--now",
      "2014-06-07T20:51:35Z",
      "-X",
      "POST",
      "-H",
      `Date: {hash.getDate("EEE, dd MMM yyyy HH:mm:ss 'GMT'");}`,
      "-H",
      "X-Plain:   kept as typed  ",
      "--data",
      `{"at":{hash.getExpiryTime(0);}}`,
      "https://api.example.com/v1/x?y=1",
    ]);
    expect(r.stdout).toBe(
      'POST https://api.example.com/v1/x?y=1\nDate: Sat, 07 Jun 2014 20:51:35 GMT\nX-Plain: kept as typed  \n\n{"at":1402174295}',
    );
    expect(r.code).toBe(0);
  });

  it("formats a request without a body as its head and a blank line", () => {
    expect(formatRequest({ method: "GET", url: "https://x/", headers: [["A", "1"]], body: undefined })).toBe(
      "GET https://x/\nA: 1\n\n",
    );
  });

  it.each([
    { args: ["-H", "no colon here", "https://x/"], message: "-H takes 'Name: value'" },
    { args: ["-H", "Bad Name: v", "https://x/"], message: "-H takes 'Name: value'" },
    { args: ["-X", "GE T", "https://x/"], message: "-X takes a method name" },
    { args: ["--data", "@/nonexistent/file", "https://x/"], message: "@/nonexistent/file: no such file" },
    { args: [], message: "missing URL" },
  ])("usage error: $message", async ({ args, message }) => {
    const r = await hashHelper(["sign", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });

  it("reports a template error in a header with the header's name, exit 1", async () => {
    const r = await hashHelper([
      "sign",
      "-H",
      `X-Sig: {hash.append("x").encodeHmacSha1("k3y").printDigest();}`,
      "https://x/",
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--> header X-Sig, line 1, column");
    expect(r.stderr).not.toContain("k3y");
  });
});

describe("hash-helper sign --explain and --json", () => {
  const args = [
    "--now",
    "1700000000",
    "--secret",
    "api=api-secret-value",
    "-H",
    `X-Sig: {hash.getRequestQuery().encodeHmacSha256(hash.getSecret("api")).toHex().printDigest();}`,
    "https://api.example.com/v1/items?page=2",
  ];
  const expected = createHmac("sha256", "api-secret-value").update("page=2").digest("hex");

  it("--explain prints the signed request on stdout and the steps of each part on stderr", async () => {
    const r = await hashHelper(["sign", "--explain", ...args]);
    expect(r.stdout).toBe(`GET https://api.example.com/v1/items?page=2\nX-Sig: ${expected}\n\n`);
    expect(r.stderr).toContain("header X-Sig, block 1 of 1");
    expect(r.stderr).toContain("hash.getRequestQuery()");
    expect(r.stderr).not.toContain("api-secret-value");
  });

  it("--json prints one JSON document with the signed request and the steps", async () => {
    const r = await hashHelper(["sign", "--json", ...args]);
    const doc = JSON.parse(r.stdout);
    expect(doc.signed.headers).toEqual([["X-Sig", expected]]);
    expect(doc.parts[0].where).toBe("header X-Sig");
    expect(r.stdout).not.toContain("api-secret-value");
  });
});

describe("what fetch sends is what was signed", () => {
  it("signs the query as fetch writes it: a space or an é in the URL still gives 200", async () => {
    const r = await hashHelper(["fetch", ...unleashed("/unleashed/Customers?customerName=Acme Ltd&city=Montréal")]);
    expect(r.stdout).toMatch(/^200 OK\n/);
  });

  it("sign prints the URL as it is sent", async () => {
    const r = await hashHelper(["sign", "https://h/a/../b c?q=x y"]);
    expect(r.stdout).toBe("GET https://h/b%20c?q=x%20y\n\n");
  });

  it.each([
    {
      why: "a GET with a body",
      args: ["-X", "GET", "--data", "x", "https://h/"],
      code: 2,
      message: "cannot have a body",
    },
    { why: "a URL that is not absolute", args: ["not a url"], code: 2, message: "not an absolute URL" },
    {
      why: "a header value with a line break, which would inject a header",
      args: ["-H", `X: {hash.append("a").appendNewLine().append("Injected: 1").printDigest();}`, "https://h/"],
      code: 1,
      message: "error[INVALID_HEADER_VALUE]",
    },
  ])("refuses $why before sending, exit $code", async ({ args, code, message }) => {
    for (const command of ["sign", "fetch"]) {
      const r = await hashHelper([command, ...args]);
      expect(r.code).toBe(code);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe("");
    }
  });

  it("refuses a body file that is not UTF-8, exit 2", async () => {
    const file = join(dir, "binary.bin");
    writeFileSync(file, Buffer.from([0xe9, 0x00, 0xff]));
    const r = await hashHelper(["sign", "--data", `@${file}`, "https://h/"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("not UTF-8 text");
  });

  it("never quotes a secret when a header it is in cannot be sent, or when there is no answer", async () => {
    const bad = await hashHelper([
      "fetch",
      "--secret",
      "k=SECRET\u00ffVALUE\u20ac",
      "-H",
      `A: {hash.getSecret("k");}`,
      "http://127.0.0.1:1/",
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).not.toContain("SECRET");
    // A port that was free a moment ago: nothing listens there, so the connection is refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await hashHelper([
      "fetch",
      "--secret",
      "k=SECRETVALUE",
      "-H",
      `A: {hash.getSecret("k");}`,
      `http://127.0.0.1:${port}/`,
    ]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("ECONNREFUSED");
    expect(refused.stderr).not.toContain("SECRETVALUE");
  });

  it("never quotes a template typed without its command", async () => {
    const r = await hashHelper([`x={hash.append("a").encodeHmacSha1("SECRETKEY").toHex().printDigest();}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("SECRETKEY");
  });
});

describe("hash-helper fetch --raw-path: the path as written goes on the wire", () => {
  const seen: string[] = [];
  const record = (req: IncomingMessage, res: ServerResponse) => {
    seen.push(req.url ?? "");
    res.end(`got ${req.headers["x-sig"] ?? "-"}`);
  };
  const plain = createHttpServer(record);
  const openssl = spawnSync("openssl", ["version"]).status === 0;
  const cert = join(dir, "cert.pem");
  let tls: ReturnType<typeof createHttpsServer> | undefined;
  let httpOrigin = "";
  let httpsOrigin = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    httpOrigin = `http://127.0.0.1:${(plain.address() as AddressInfo).port}`;
    if (!openssl) return;
    const key = join(dir, "key.pem");
    // A certificate for 127.0.0.1 that the child trusts through NODE_EXTRA_CA_CERTS.
    const made = spawnSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-days",
      "2",
    ]);
    expect(made.status).toBe(0);
    tls = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, record);
    await new Promise<void>((resolve) => tls?.listen(0, "127.0.0.1", resolve));
    httpsOrigin = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => plain.close(resolve));
    if (tls) await new Promise((resolve) => tls?.close(resolve));
  });

  const withEnv = async (args: string[], env: Record<string, string>) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
        timeout: 10_000,
        env: { ...process.env, ...env },
      });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
  const SIG = `X-Sig: {hash.getRequestPath().encodeSha256().toHex().printDigest();}`;
  const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

  it("over http: /a/./b/../c//d arrives as is, and the path signed is that one", async () => {
    const r = await hashHelper(["fetch", "--raw-path", "-H", SIG, `${httpOrigin}/a/./b/../c//d?x=1`]);
    expect(r).toEqual({ code: 0, stdout: `200 OK\ngot ${sha256("/a/./b/../c//d")}\n`, stderr: "" });
    expect(seen.at(-1)).toBe("/a/./b/../c//d?x=1");
  });

  it("without --raw-path, the path fetch() writes arrives, and is the one signed", async () => {
    const r = await hashHelper(["fetch", "-H", SIG, `${httpOrigin}/a/./b/../c//d?x=1`]);
    expect(r.stdout).toBe(`200 OK\ngot ${sha256("/a/c//d")}\n`);
    expect(seen.at(-1)).toBe("/a/c//d?x=1");
  });

  it.skipIf(!openssl)("over https, with the certificate trusted", async () => {
    const r = await withEnv(["fetch", "--raw-path", `${httpsOrigin}/a/./b/../c//d`], { NODE_EXTRA_CA_CERTS: cert });
    expect(r).toEqual({ code: 0, stdout: "200 OK\ngot -\n", stderr: "" });
    expect(seen.at(-1)).toBe("/a/./b/../c//d");
  });

  it.skipIf(!openssl)("over https, a certificate not trusted: no answer, the same code both ways", async () => {
    const raw = await withEnv(["fetch", "--raw-path", `${httpsOrigin}/x`], { NODE_EXTRA_CA_CERTS: "" });
    const viaFetch = await withEnv(["fetch", `${httpsOrigin}/x`], { NODE_EXTRA_CA_CERTS: "" });
    expect(raw.code).toBe(4);
    expect(raw.stderr).toMatch(/^hash-helper: the request got no answer \([A-Z_]+\)\n$/);
    expect(raw).toEqual(viaFetch);
  });
});
