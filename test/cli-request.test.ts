import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  literalUrl,
  rawPath,
  rawTarget,
  redirectedRequest,
  redirectLocation,
  send,
  sendRaw,
  withDefaults,
} from "../src/shells/cli/cli-request.ts";

// fetch --raw-path: the request-target it writes, and the response it reads, which must be what
// fetch() (send()) reads from the same answer.

describe("rawPath", () => {
  // Percent-encoding by hand: RFC 3986 §2.1, the UTF-8 bytes in uppercase hex.
  it.each([
    { path: "/a/./b/../c//d", sent: "/a/./b/../c//d" },
    { path: "/%2f%zz%", sent: "/%2f%zz%" },
    { path: '/{}|\\^`"<>[]', sent: '/{}|\\^`"<>[]' },
    { path: "/a b", sent: "/a%20b" },
    { path: "/a  b", sent: "/a%20%20b" },
    { path: "/\u0000\u001f\u007f", sent: "/%00%1F%7F" },
    { path: "/é", sent: "/%C3%A9" },
    { path: "/\u0080\u00ff", sent: "/%C2%80%C3%BF" },
    { path: "/ሴ", sent: "/%E1%88%B4" },
    { path: "/😀", sent: "/%F0%9F%98%80" },
    { path: "/?q=x y&r=é", sent: "/?q=x%20y&r=%C3%A9" },
  ])("$path -> $sent", ({ path, sent }) => {
    expect(rawPath(path)).toBe(sent);
  });
});

describe("rawTarget", () => {
  it.each([
    {
      url: "http://h/a/../b",
      target: { protocol: "http:", hostname: "h", port: undefined, host: "h", path: "/a/../b" },
    },
    {
      url: "HTTPS://H.Example:8443/x",
      target: { protocol: "https:", hostname: "h.example", port: 8443, host: "H.Example:8443", path: "/x" },
    },
    {
      url: "https://h:443/x",
      target: { protocol: "https:", hostname: "h", port: undefined, host: "h:443", path: "/x" },
    },
    {
      url: "http://[::1]:8080/x?y",
      target: { protocol: "http:", hostname: "::1", port: 8080, host: "[::1]:8080", path: "/x?y" },
    },
    { url: "http://h", target: { protocol: "http:", hostname: "h", port: undefined, host: "h", path: "/" } },
    { url: "http://h?x=1", target: { protocol: "http:", hostname: "h", port: undefined, host: "h", path: "/?x=1" } },
    { url: "http://h/p?q#f", target: { protocol: "http:", hostname: "h", port: undefined, host: "h", path: "/p?q" } },
    { url: "http://h/a b", target: { protocol: "http:", hostname: "h", port: undefined, host: "h", path: "/a%20b" } },
  ])("$url", ({ url, target }) => {
    expect(rawTarget(url)).toEqual(target);
  });

  it.each([
    { url: "ftp://h/x", message: /http:\/\/ or https:\/\// },
    { url: "http:/h/x", message: /http:\/\/ or https:\/\// },
    { url: "http://h\\x/", message: /http:\/\/ or https:\/\// },
    { url: "http:///x", message: /http:\/\/ or https:\/\// },
    { url: "http://h:99999/", message: /http:\/\/ or https:\/\// },
    { url: "http://user:SECRETPW@h/", message: /user:password@/ },
    { url: "http://SECRETPW@h/", message: /user:password@/ },
  ])("refuses $url, never quoting it", ({ url, message }) => {
    expect(() => rawTarget(url)).toThrow(message);
    try {
      rawTarget(url);
    } catch (e) {
      expect((e as Error).message).not.toContain("SECRETPW");
      expect((e as Error).message).not.toContain("h\\x");
    }
  });
});

describe("sendRaw reads an answer as send() (fetch) does", () => {
  const answers: Record<string, (res: ServerResponse) => void> = {
    plain: (res) => res.end("plain text"),
    bom: (res) => res.end("\ufeffwith a byte order mark"),
    malformed: (res) => res.end(Buffer.from([0x61, 0xff, 0x62])),
    gzip: (res) => encoded(res, "gzip", gzipSync("gzipped é")),
    "x-gzip": (res) => encoded(res, "x-gzip", gzipSync("x-gzipped")),
    deflate: (res) => encoded(res, "deflate", deflateSync("zlib deflate")),
    "raw-deflate": (res) => encoded(res, "deflate", deflateRawSync("raw deflate")),
    br: (res) => encoded(res, "br", brotliCompressSync("brotli")),
    twice: (res) => encoded(res, "gzip, br", brotliCompressSync(gzipSync("gzip then br"))),
    "upper-case": (res) => encoded(res, "GZIP", gzipSync("upper-case coding")),
    // A coding neither knows (zstd is one fetch decodes from Node 24 on).
    unknown: (res) => encoded(res, "x-custom", Buffer.from("left as it came")),
    "one-unknown": (res) => encoded(res, "gzip, compress", gzipSync("none undone")),
    identity: (res) => encoded(res, "identity", Buffer.from("identity")),
    truncated: (res) => encoded(res, "gzip", gzipSync("cut short ".repeat(100)).subarray(0, 40)),
    redirect: (res) => {
      res.statusCode = 301;
      res.setHeader("Location", "/plain");
      encoded(res, "gzip", gzipSync("a redirect's body"));
    },
    "not-modified": (res) => {
      res.statusCode = 304;
      res.setHeader("Content-Encoding", "gzip");
      res.end();
    },
    "no-content": (res) => {
      res.statusCode = 204;
      res.end();
    },
    "not-found": (res) => {
      res.statusCode = 404;
      res.statusMessage = "Nowhere To Be Found";
      res.end("missing");
    },
    headers: (res) => {
      res.setHeader("Set-Cookie", ["b=2", "a=1"]);
      res.setHeader("X-Multi", ["one", "two"]);
      res.setHeader("A-First", "1");
      res.setHeader("Z-Last", "");
      res.end("headers");
    },
  };
  const encoded = (res: ServerResponse, coding: string, body: Buffer) => {
    res.setHeader("Content-Encoding", coding);
    res.end(body);
  };
  const server = createServer((req, res) => {
    res.sendDate = false;
    const name = (req.url ?? "").slice(1);
    (answers[name] ?? ((r: ServerResponse) => r.end("?")))(res);
  });
  let origin = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const request = (path: string, method = "GET") => ({
    method,
    url: `${origin}/${path}`,
    headers: [],
    body: undefined,
  });

  it.each(Object.keys(answers))("%s", async (name) => {
    const viaFetch = await send(request(name));
    const viaRaw = await sendRaw(request(name));
    expect(viaRaw).toEqual(viaFetch);
  });

  it.each(["gzip", "plain"])("HEAD %s: no body, and nothing to decode", async (name) => {
    // The headers differ: the server closes the connection after fetch()'s HEAD, not after ours.
    const { status, body } = await sendRaw(request(name, "HEAD"));
    expect({ status, body }).toEqual({ status: 200, body: "" });
    expect((await send(request(name, "HEAD"))).body).toBe("");
  });
});

describe("sendRaw gives up as fetch() would", () => {
  const silent = createServer(() => {
    // Takes the request and never answers.
  });
  let origin = "";
  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    silent.closeAllConnections();
    return new Promise((resolve) => silent.close(resolve));
  });

  it("after a silence longer than its timeout, with the code ETIMEDOUT as the cause", async () => {
    const started = Date.now();
    const error = await sendRaw(
      { method: "GET", url: `${origin}/`, headers: [], body: undefined },
      { connectMs: 5_000, idleMs: 200 },
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { cause?: { code?: unknown } }).cause?.code).toBe("ETIMEDOUT");
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("a header Node refuses to write: the request fails before anything is sent, naming no value", async () => {
    const error = await sendRaw({
      method: "GET",
      url: `${origin}/`,
      headers: [["X-Key", "SECRET\u0001VALUE"]],
      body: undefined,
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as { cause?: { code?: unknown } }).cause?.code).toBe("ERR_INVALID_CHAR");
    expect(String((error as Error).message)).not.toContain("SECRET");
  });
});

describe("redirects (fetch -L)", () => {
  const post = {
    method: "POST",
    url: "https://a.test/x",
    headers: [
      ["Content-Type", "text/plain"],
      ["Authorization", "t"],
      ["X-Sig", "{…}"],
    ] as [string, string][],
    body: "data",
  };
  // The Fetch standard, HTTP-redirect fetch, step 12: which redirects become a GET without body.
  it.each([
    { status: 301, method: "POST", get: true },
    { status: 302, method: "POST", get: true },
    { status: 303, method: "POST", get: true },
    { status: 303, method: "PUT", get: true },
    { status: 303, method: "HEAD", get: false },
    { status: 301, method: "PUT", get: false },
    { status: 302, method: "DELETE", get: false },
    { status: 307, method: "POST", get: false },
    { status: 308, method: "POST", get: false },
  ])("$status after $method: a GET without body? $get", ({ status, method, get }) => {
    const next = redirectedRequest({ ...post, method }, status, "https://a.test/y", new Set());
    expect(next.url).toBe("https://a.test/y");
    expect(next.method).toBe(get ? "GET" : method);
    expect(next.body).toBe(get ? undefined : "data");
    expect(next.headers?.map(([n]) => n)).toEqual(
      get ? ["Authorization", "X-Sig"] : ["Content-Type", "Authorization", "X-Sig"],
    );
  });

  it("drops the headers it is told to, whatever their case", () => {
    const next = redirectedRequest(post, 307, "https://b.test/", new Set(["authorization", "x-sig"]));
    expect(next.headers).toEqual([["Content-Type", "text/plain"]]);
  });

  it.each([
    { location: "/b?c=1#frag", from: "https://a.test/x?y", expected: "https://a.test/b?c=1" },
    { location: "other", from: "https://a.test/dir/x", expected: "https://a.test/dir/other" },
    { location: "http://b.test:8080/", from: "https://a.test/", expected: "http://b.test:8080/" },
    { location: "//c.test/p", from: "https://a.test/", expected: "https://c.test/p" },
  ])("resolves Location $location against $from", ({ location, from, expected }) => {
    const response = { status: 302, statusText: "", headers: [["location", location]] as [string, string][], body: "" };
    expect(redirectLocation(response, from)?.href).toBe(expected);
  });

  it("has no Location to follow when there is none, or it is no URL", () => {
    const none = { status: 302, statusText: "", headers: [] as [string, string][], body: "" };
    expect(redirectLocation(none, "https://a.test/")).toBeUndefined();
    const bad = { ...none, headers: [["location", "http://[::1"]] as [string, string][] };
    expect(redirectLocation(bad, "https://a.test/")).toBeUndefined();
  });

  it("writes a URL so that no part of it reads as a block", () => {
    expect(literalUrl(new URL('https://a.test/p?q={hash.getSecret("k");}&r=<hash.x;>'))).toBe(
      "https://a.test/p?q=%7Bhash.getSecret(%22k%22);%7D&r=%3Chash.x;%3E",
    );
  });

  it("adds a default header only when the request has none of that name", () => {
    expect(withDefaults([["user-agent", "mine"]], [["User-Agent", "hash-helper/1"]])).toEqual([["user-agent", "mine"]]);
    expect(withDefaults([["A", "1"]], [["User-Agent", "hash-helper/1"]])).toEqual([
      ["A", "1"],
      ["User-Agent", "hash-helper/1"],
    ]);
  });
});
