// "Copy as curl": the command curlOf() writes for a signed request, read as text, and run with
// the real curl against a local echo server, which must receive the method, the path and query,
// the headers and the body byte for byte as they were signed. The signature is computed here with
// node:crypto; the shell's quoting is tested by running it (sh -c), never by reading it.
import { execFile } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { CurlRefused, curlOf, requestOf } from "../../playground/request.ts";
import { signRequest } from "../../src/index.ts";

const curl = ["/usr/bin/curl", "/usr/local/bin/curl", "/bin/curl"].find((p) => existsSync(p));

/** The request: a quote and brackets in the query, an empty header, a body with a quote, no Content-Type. */
const http = (origin: string) =>
  [
    `POST ${origin}/v1/items?x=it's&y=[1]`,
    "X-Empty: ",
    'X-Sig: {hash.append(hash.getRequestBody()).encodeHmacSha256("k").toHex().printDigest();}',
    "",
    `{"a":"it's"}`,
  ].join("\n");

interface Received {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
}

async function echo(): Promise<{ origin: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        method: req.method ?? "",
        url: req.url ?? "",
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function run(command: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile("sh", ["-c", `${command} -sS -o /dev/null --max-time 10`], (error, _out, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    );
    child.stdin?.end();
  });
}

/** The headers as received, in order, without the two HTTP itself needs. */
const pairs = (raw: string[]) => {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
};

describe("curlOf", () => {
  it("writes globoff, an empty header as Name;, the headers curl would add removed, and the body raw", () => {
    const command = curlOf({
      method: "POST",
      url: "http://api.example.test/v1/items?x=it's&y=[1]",
      headers: [
        ["X-Empty", ""],
        ["X-Sig", "abc"],
      ],
      body: `{"a":"it's"}`,
    });
    expect(command).toBe(
      [
        "curl -q --globoff --path-as-is",
        "-H 'X-Empty;' -H 'X-Sig: abc'",
        "-H 'User-Agent:' -H 'Accept:' -H 'Content-Type:' -H 'Expect:'",
        `--data-raw '{"a":"it'\\''s"}'`,
        `--url 'http://api.example.test/v1/items?x=it'\\''s&y=[1]'`,
      ].join(" "),
    );
  });

  it("sends a header of spaces alone as an empty one, which HTTP makes of it (curl drops `Name:   `)", () => {
    const command = curlOf({
      method: "GET",
      url: "http://a.test/",
      headers: [
        ["X-Spaces", "   "],
        ["X-Tab", "\t"],
      ],
      body: undefined,
    });
    expect(command).toContain("-H 'X-Spaces;' -H 'X-Tab;'");
  });

  it.each([
    { method: "GET", body: undefined, has: [], not: ["-X", "--head", "--data-raw", "Content-Type:"] },
    { method: "DELETE", body: undefined, has: ["-X 'DELETE'"], not: ["--data-raw"] },
    { method: "PUT", body: "x", has: ["-X 'PUT'", "--data-raw 'x'"], not: [] },
    { method: "GET", body: "x", has: ["-X 'GET'", "--data-raw 'x'"], not: [] },
    { method: "HEAD", body: undefined, has: ["--head"], not: ["-X"] },
  ])("$method with body $body", ({ method, body, has, not }) => {
    const command = curlOf({ method, url: "https://example.test/", headers: [], body });
    for (const part of has) expect(command).toContain(part);
    for (const part of not) expect(command).not.toContain(part);
  });

  it("keeps a header the request sets instead of removing curl's own", () => {
    const command = curlOf({
      method: "POST",
      url: "https://example.test/",
      headers: { "content-type": "application/json", "User-Agent": "dash/1" },
      body: "{}",
    });
    expect(command).toContain("-H 'content-type: application/json' -H 'User-Agent: dash/1' -H 'Accept:' -H 'Expect:'");
    expect(command).not.toContain("'Content-Type:'");
  });

  it.each([
    { what: "HEAD with a body", request: { method: "HEAD", url: "https://e.test/", headers: [], body: "x" } },
    {
      what: "a line break in a header",
      request: { method: "GET", url: "https://e.test/", headers: [["X", "a\r\nB: c"]] },
    },
    { what: "a header name with a space", request: { method: "GET", url: "https://e.test/", headers: [["X Y", "a"]] } },
    { what: "a method that is no token", request: { method: "GET /x", url: "https://e.test/", headers: [] } },
  ])("refuses $what", ({ request }) => {
    expect(() => curlOf({ body: undefined, ...request } as never)).toThrow(CurlRefused);
  });
});

describe.skipIf(!curl)("curlOf, run with the real curl", () => {
  it("sends the issue's request byte for byte as it was signed", async () => {
    const server = await echo();
    try {
      const request = requestOf(http(server.origin));
      if (!request) throw new Error("not read as a request");
      const signed = signRequest(request);
      const body = `{"a":"it's"}`;
      const mac = createHmac("sha256", "k").update(body).digest("hex");
      expect(signed.headers).toStrictEqual([
        ["X-Empty", ""],
        ["X-Sig", mac],
      ]);
      const result = await run(curlOf(signed));
      expect(result).toStrictEqual({ code: 0, stderr: "" });
      expect(server.received).toHaveLength(1);
      const got = server.received[0] as Received;
      expect(got.method).toBe("POST");
      expect(got.url).toBe("/v1/items?x=it's&y=[1]");
      expect(got.body.equals(Buffer.from(body, "utf8"))).toBe(true);
      const { host, length, rest } = split(pairs(got.rawHeaders));
      expect(host).toBe(server.origin.slice("http://".length));
      expect(length).toBe(String(Buffer.byteLength(body)));
      // Exactly the signed headers, in their order and case: nothing curl adds of its own.
      expect(rest).toStrictEqual([
        ["X-Empty", ""],
        ["X-Sig", mac],
      ]);
    } finally {
      await server.close();
    }
  }, 20_000);

  it.each([
    { method: "GET", body: undefined },
    { method: "HEAD", body: undefined },
    { method: "DELETE", body: undefined },
    { method: "PUT", body: "it's\n'quoted' $HOME `x` \\ \"q\" ünï" },
    { method: "GET", body: "" },
  ])(
    "$method with body $body arrives as signed",
    async ({ method, body }) => {
      const server = await echo();
      try {
        const url = `${server.origin}/a/../b/./c?q={x}&r=it's`;
        const headers: [string, string][] = [
          ["Content-Type", "text/plain; charset=utf-8"],
          ["X-Quote", `it's "q" $HOME`],
        ];
        const result = await run(curlOf({ method, url, headers, body }));
        expect(result).toStrictEqual({ code: 0, stderr: "" });
        const got = server.received[0] as Received;
        expect(got.method).toBe(method);
        expect(got.url).toBe("/a/../b/./c?q={x}&r=it's");
        expect(got.body.toString("utf8")).toBe(body ?? "");
        expect(split(pairs(got.rawHeaders)).rest).toStrictEqual(headers);
      } finally {
        await server.close();
      }
    },
    20_000,
  );
});

function split(headers: [string, string][]) {
  const find = (name: string) => headers.find(([n]) => n.toLowerCase() === name)?.[1];
  return {
    host: find("host"),
    length: find("content-length"),
    rest: headers.filter(([n]) => !["host", "content-length"].includes(n.toLowerCase())),
  };
}

it.skipIf(curl)("curl is not installed: the tests that run it are skipped", () => {
  console.warn("curl not found in /usr/bin, /usr/local/bin or /bin: curlOf() was not run with the real curl");
});
