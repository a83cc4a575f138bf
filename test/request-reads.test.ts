// What the parts of a signed request read of it, and in what order they run: the URL read from
// the URL itself, canonical headers, the form body, cycles. Expected values are worked out by hand
// with node:crypto and URL.
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signRequest } from "../src/index.ts";
import { errorOf } from "./helpers.ts";

/** The value of one header a block-only header gives, on a request. */
function read(
  expression: string,
  request: { url: string; headers?: [string, string][]; body?: string; method?: string },
) {
  const signed = signRequest({ ...request, headers: [...(request.headers ?? []), ["X-Out", `{${expression};}`]] });
  return signed.headers.at(-1)?.[1];
}

describe("the URL's parts", () => {
  it.each([
    ["getRequestHost()", "https://Example.com:8443/a?b=1#f", "Example.com:8443"],
    ["getRequestHost()", "https://user:pw@example.com/a", "example.com"],
    ["getRequestScheme()", "HTTPS://example.com/a", "https"],
    ["getRequestUrl()", "https://example.com/a?b=1#frag", "https://example.com/a?b=1"],
    ["getRequestPath()", "https://example.com/a/./b/../c", "/a/./b/../c"],
    ["getRequestQuery()", "https://example.com/a?b=1&c", "b=1&c"],
  ])("%s of %s", (call, url, expected) => {
    expect(read(`hash.${call}`, { url })).toBe(expected);
  });

  it("reads Host as the URL's host when the request has no Host header, and the header when it has", () => {
    expect(read(`hash.getRequestHeader("host")`, { url: "https://api.example.com:444/x" })).toBe("api.example.com:444");
    expect(read(`hash.getRequestHeader("host")`, { url: "https://x/", headers: [["Host", "other"]] })).toBe("other");
  });

  it("reads a normalised URL when normalizeUrl is set, as fetch sends it", () => {
    const signed = signRequest(
      { url: "https://example.com/a/./b/../c d", headers: [["X-Path", `{hash.getRequestPath();}`]] },
      { normalizeUrl: true },
    );
    expect(signed.headers[0]?.[1]).toBe(new URL("https://example.com/a/./b/../c d").pathname);
  });
});

describe("a URL that reads itself", () => {
  it("signs every other parameter, blocks included (Binance: signature appended last)", () => {
    const url = `https://api.binance.com/api/v3/order?symbol=LTCBTC&side=BUY&timestamp={hash.getEpochMillis();}&signature={hash.getRequestQuery().encodeHmacSha256(hash.getSecret("binance")).toHex().printDigest();}`;
    const signed = signRequest({ method: "POST", url }, { now: 1499827319559, secrets: { binance: "k" } });
    const query = "symbol=LTCBTC&side=BUY&timestamp=1499827319559";
    expect(signed.url).toBe(
      `https://api.binance.com/api/v3/order?${query}&signature=${createHmac("sha256", "k").update(query).digest("hex")}`,
    );
  });

  it("leaves out a parameter that reads the signing block (it runs after it)", () => {
    const url = `https://x/?a=1&sig={hash.let("sig", hash.getRequestQuery().encodeMd5().toHex());}&echo={hash.get("sig");}`;
    const signed = signRequest({ url });
    const expected = createHash("md5").update("a=1").digest("hex");
    expect(signed.url).toBe(`https://x/?a=1&sig=${expected}&echo=${expected}`);
  });

  it("refuses two parameters that both read the whole query, naming both", () => {
    const url = `https://x/?a={hash.getRequestQuery();}&b={hash.getRequestQuery();}`;
    const e = errorOf(() => signRequest({ url }));
    expect(e.code).toBe("READ_CYCLE");
    expect(e.message).toMatch(/the URL's parameter '(a|b)' and the URL's parameter '(a|b)' read each other/);
  });

  it.each([
    [`https://x/?a={hash.append("1&b=2").printDigest();}&s={hash.getRequestQuery();}`, "'&' in the URL's query"],
    [`https://x/p{hash.append("?a=1").printDigest();}&s={hash.getRequestQuery();}`, "'?' in the URL's path"],
    [`https://{hash.append("h/x").printDigest();}/?s={hash.getRequestHost();}`, "'/' in the URL's host"],
  ])("refuses a block that writes a delimiter of its component when the URL is read: %s", (url, what) => {
    const e = errorOf(() => signRequest({ url }));
    expect(e.code).toBe("INVALID_URL_VALUE");
    expect(e.message).toContain(what);
    // Encoded, the value is a value again.
    expect(() =>
      signRequest({ url: url.replace(/\.printDigest\(\);\}/, ".encodeURL().printDigest();}") }),
    ).not.toThrow();
  });

  it("reads the expanded URL as a whole from another part, whatever its blocks wrote (a base URL from a secret)", () => {
    const secrets = { u: "https://hooks.example.com/x?token=abc&v=2" };
    const signed = signRequest(
      {
        url: `{hash.getSecret("u");}`,
        headers: [
          ["X-Host", `{hash.getRequestHost();}`],
          ["X-Query", `{hash.getRequestQuery();}`],
          ["X-Canonical", `{hash.getCanonicalHeaders("host").encodeBase64().printDigest();}`],
        ],
      },
      { secrets },
    );
    expect(signed.headers.map(([, v]) => v)).toEqual([
      "hooks.example.com",
      "token=abc&v=2",
      Buffer.from("host:hooks.example.com\n").toString("base64"),
    ]);
  });

  it("lets a block write delimiters where nothing reads the URL", () => {
    expect(signRequest({ url: `https://x/?{hash.append("a=1&b=2").printDigest();}` }).url).toBe("https://x/?a=1&b=2");
  });

  it("reads a header without a block and the body", () => {
    const url = `https://x/?h={hash.getRequestHeader("X-Key");}&b={hash.getRequestBody().encodeMd5().toHex().printDigest();}`;
    const signed = signRequest({ method: "POST", url, headers: [["X-Key", "v"]], body: "abc" });
    expect(signed.url).toBe(`https://x/?h=v&b=${createHash("md5").update("abc").digest("hex")}`);
  });
});

describe("canonical headers", () => {
  const headers: [string, string][] = [
    ["Host", "example.amazonaws.com"],
    ["My-Header1", "  value1   with  \t spaces "],
    ["my-header1", "second"],
    ["X-Amz-Date", "20150830T123600Z"],
  ];

  it("writes the listed headers lowercase and sorted, values trimmed and collapsed, repeats joined with ','", () => {
    expect(
      read(`hash.getCanonicalHeaders("x-amz-date;My-Header1;host").encodeBase64().printDigest()`, {
        url: "https://x/",
        headers,
      }),
    ).toBe(
      Buffer.from(
        "host:example.amazonaws.com\nmy-header1:value1 with spaces,second\nx-amz-date:20150830T123600Z\n",
      ).toString("base64"),
    );
    expect(read(`hash.getSignedHeaders("x-amz-date;My-Header1;host")`, { url: "https://x/", headers })).toBe(
      "host;my-header1;x-amz-date",
    );
  });

  it("takes every header but the one being expanded and those that read it, when given no list", () => {
    const signed = signRequest({
      url: "https://api.example.com/",
      headers: [
        ["X-Date", "d"],
        ["Authorization", `{hash.getSignedHeaders();}`],
        ["X-Echo", `{hash.getRequestHeader("Authorization");}`],
      ],
    });
    // No Host header: the URL's host stands in for it, as on the wire.
    expect(signed.headers[1]?.[1]).toBe("host;x-date");
    expect(signed.headers[2]?.[1]).toBe("host;x-date");
  });

  it("refuses a listed header the request lacks, naming it", () => {
    const e = errorOf(() => read(`hash.getCanonicalHeaders("host;x-amz-date")`, { url: "https://x/" }));
    expect(e).toMatchObject({ code: "MISSING_HEADER", message: "the request has no header 'x-amz-date'" });
  });
});

describe("the form body", () => {
  it("gives the parameters of a form body, '+' as %20, and nothing for any other body", () => {
    const form = {
      url: "https://x/",
      method: "POST",
      body: "c2&a3=2+q",
      headers: [["Content-Type", "application/x-www-form-urlencoded; charset=utf-8"]] as [string, string][],
    };
    expect(read(`hash.getRequestForm()`, form)).toBe("c2&a3=2%20q");
    expect(read(`hash.getRequestForm()`, { ...form, headers: [["Content-Type", "application/json"]] })).toBe("");
    expect(read(`hash.getRequestForm()`, { ...form, headers: [] })).toBe("");
  });
});

describe("the order of parts", () => {
  it("lets the body read a header and a header read the body", () => {
    const signed = signRequest({
      method: "POST",
      url: "https://x/",
      body: `{"id":"{hash.getRequestHeader("X-Id");}"}`,
      headers: [
        ["X-Id", "42"],
        ["Content-MD5", `{hash.getRequestBody().encodeMd5().encodeBase64().printDigest();}`],
      ],
    });
    expect(signed.body).toBe(`{"id":"42"}`);
    expect(signed.headers[1]?.[1]).toBe(createHash("md5").update(`{"id":"42"}`).digest("base64"));
  });

  it.each([
    [{ url: "https://x/", body: `{hash.getRequestBody().toHex().printDigest();}` }, "the body reads itself"],
    [{ url: `https://{hash.getRequestHost();}/` }, "the URL's host reads itself"],
    [
      {
        url: "https://x/",
        headers: [
          ["A", `{hash.getSignedHeaders();}`],
          ["B", `{hash.getSignedHeaders();}`],
        ] as [string, string][],
      },
      "headers 'B' and 'A' read each other",
    ],
  ])("refuses %#: %s", (request, message) => {
    expect(errorOf(() => signRequest(request)).message).toBe(message);
  });
});
