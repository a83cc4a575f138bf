import { createHash, createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it, vi } from "vitest";
import { pathAndQuery } from "../src/features/sign-request.ts";
import { createHashHelper, explainRequest, signRequest } from "../src/index.ts";
import { MAX_REPORTED_PROBLEMS, quoteName } from "../src/language/errors.ts";
import { errorOf } from "./helpers.ts";

/**
 * The presigned S3 URL of docs/recipes/aws-s3-presigned-url.md for another object, region and
 * lifetime: the page's query parameters, from X-Amz-Algorithm on, appended to the URL's own,
 * with the region and expiry a user would change. Nothing of the request is restated in it.
 */
function awsPresignTemplate(a: { url: string; region: string; expires: number }) {
  const page = readFileSync(new URL("../docs/recipes/aws-s3-presigned-url.md", import.meta.url), "utf8");
  const line = /^```http\nGET (.+)\n```$/m.exec(page)?.[1] ?? "";
  const suffix = line
    .slice(line.indexOf("X-Amz-Algorithm="))
    .replaceAll("us-east-1", a.region)
    .replace("X-Amz-Expires=86400", `X-Amz-Expires=${a.expires}`);
  return `${a.url}${a.url.includes("?") ? "&" : "?"}${suffix}`;
}

describe("AWS Signature Version 4, query-string form", () => {
  it("reproduces the presigned URL of the S3 documentation", () => {
    // "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)", example GET.
    const url = awsPresignTemplate({
      url: "https://examplebucket.s3.amazonaws.com/test.txt",
      region: "us-east-1",
      expires: 86400,
    });
    const secrets = {
      aws_access_key_id: "AKIAIOSFODNN7EXAMPLE",
      aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    };
    const signed = signRequest({ url }, { now: new Date("2013-05-24T00:00:00Z"), secrets });
    expect(signed.url).toBe(
      "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
    );
  });

  // smithy signs S3 paths as given (uriEscapePath: false), encoded once by the caller: the
  // template decodes what the URL holds and encodes it once, so a key with a space, parentheses
  // or non-ASCII letters is not encoded twice.
  it.each(["/reports/q3-2024.csv", "/my%20file%20%281%29.txt", "/caf%C3%A9/na%C3%AFve.txt"])(
    "equals @smithy/signature-v4 for another bucket, region, query, key and clock (%s)",
    async (path) => {
      const now = new Date("2024-02-29T12:34:56Z");
      const credentials = { accessKeyId: "AKIDEXAMPLE2", secretAccessKey: "s3cr3t/with+odd=chars" };
      const host = "my-bucket.s3.eu-west-1.amazonaws.com";
      const signer = new SignatureV4({
        credentials,
        region: "eu-west-1",
        service: "s3",
        sha256: Sha256,
        uriEscapePath: false,
      });
      const presigned = await signer.presign(
        {
          method: "GET",
          protocol: "https:",
          hostname: host,
          path,
          query: { "response-content-type": "text/csv" },
          // S3 presigned URLs sign UNSIGNED-PAYLOAD: smithy takes the payload hash from this header,
          // which is neither moved into the query nor signed.
          headers: { host, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        },
        {
          expiresIn: 3600,
          signingDate: now,
          unhoistableHeaders: new Set(["x-amz-content-sha256"]),
          unsignableHeaders: new Set(["x-amz-content-sha256"]),
        },
      );
      // The request's own parameter is part of the URL; the template signs it as it stands.
      const url = awsPresignTemplate({
        url: `https://${host}${path}?response-content-type=text%2Fcsv`,
        region: "eu-west-1",
        expires: 3600,
      });
      const signed = signRequest(
        { url },
        {
          now,
          secrets: { aws_access_key_id: credentials.accessKeyId, aws_secret_access_key: credentials.secretAccessKey },
        },
      );
      const ours = Object.fromEntries(new URL(signed.url).searchParams);
      expect(ours).toEqual(presigned.query);
    },
  );
});

describe("Unleashed", () => {
  const headers = {
    Accept: "application/json",
    "Content-Type": "application/json",
    "api-auth-id": "2b0a8c0e-id",
    "client-type": "acme/orderautomation",
    "api-auth-signature": `{hash.getRequestQuery().encodeHmacSha256(hash.getSecret("unleashed")).encodeBase64().printDigest();}`,
  };
  it.each([
    { url: "https://api.unleashedsoftware.com/Customers?customerCode=ACME", query: "customerCode=ACME" },
    { url: "https://api.unleashedsoftware.com/Customers", query: "" },
    {
      url: "https://api.unleashedsoftware.com/Products/1?pageSize=200&orderBy=ProductCode",
      query: "pageSize=200&orderBy=ProductCode",
    },
  ])("signs the query string of $url", ({ url, query }) => {
    const signed = signRequest({ url, headers }, { secrets: { unleashed: "unleashed-key" } });
    expect(signed.headers["api-auth-signature"]).toBe(
      createHmac("sha256", "unleashed-key").update(query).digest("base64"),
    );
    expect(signed.headers.Accept).toBe("application/json");
    expect(Object.keys(signed.headers)).toEqual(Object.keys(headers));
  });

  it("signs the query as expanded, blocks in the URL included", () => {
    const signed = signRequest(
      { url: 'https://api.unleashedsoftware.com/Invoices?modifiedSince={hash.getDate("yyyy-MM-dd");}', headers },
      { now: new Date("2024-01-02T03:04:05Z"), secrets: { unleashed: "k" } },
    );
    expect(signed.url).toBe("https://api.unleashedsoftware.com/Invoices?modifiedSince=2024-01-02");
    expect(signed.headers["api-auth-signature"]).toBe(
      createHmac("sha256", "k").update("modifiedSince=2024-01-02").digest("base64"),
    );
  });
});

describe("LicenseSpring License API", () => {
  // Authorization first: it waits for Date, which it reads.
  const request = {
    method: "POST",
    url: "https://api.licensespring.com/api/v4/activate_license",
    headers: [
      [
        "Authorization",
        `algorithm="hmac-sha256", headers="date", signature="{hash.append("licenseSpring").appendNewLine().append("date: ").append(hash.getRequestHeader("date")).encodeHmacSha256(hash.getSecret("shared_key")).encodeBase64().printDigest();}", apikey="{hash.getSecret("api_key");}"`,
      ],
      ["Date", `{hash.getDate("EEE, dd MMM yyyy HH:mm:ss 'GMT'");}`],
    ] as [string, string][],
    body: `{"license_key":"AAAA-BBBB"}`,
  };

  it("reproduces the example of LicenseSpring's signature page", () => {
    // docs.licensespring.com, License API, Request Signature: the fake shared key below and
    // "Date: Tue, 07 Jun 2011 20:51:35 GMT" sign "UDysfR6MndUZReo07Y9r+vErn8vSxrnQ5ulit18iJ/Q=".
    const signed = signRequest(request, {
      now: new Date("2011-06-07T20:51:35Z"),
      secrets: { shared_key: "kw4qSnpSwXzgiv5yxYpZZmFEd9QAeiKTQ6OuyMja", api_key: "here_is_the_api_key" },
    });
    expect(signed.headers).toEqual([
      [
        "Authorization",
        'algorithm="hmac-sha256", headers="date", signature="UDysfR6MndUZReo07Y9r+vErn8vSxrnQ5ulit18iJ/Q=", apikey="here_is_the_api_key"',
      ],
      ["Date", "Tue, 07 Jun 2011 20:51:35 GMT"],
    ]);
  });

  it("signs the Date header it sends, on one clock", () => {
    const now = new Date("2014-06-07T20:51:35Z");
    let t = now.getTime();
    const spy = vi.spyOn(Date, "now").mockImplementation(() => (t += 1000));
    try {
      const signed = signRequest(request, { secrets: { shared_key: "ls-shared", api_key: "ls-api-key" } });
      const date = String(signed.headers[1]?.[1]);
      expect(date).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
      expect(new Date(date).getTime()).toBe(Math.floor(t / 1000) * 1000); // the clock was read once
      const signature = createHmac("sha256", "ls-shared").update(`licenseSpring\ndate: ${date}`).digest("base64");
      expect(signed.headers[0]).toEqual([
        "Authorization",
        `algorithm="hmac-sha256", headers="date", signature="${signature}", apikey="ls-api-key"`,
      ]);
      expect(signed.body).toBe(`{"license_key":"AAAA-BBBB"}`);
    } finally {
      spy.mockRestore();
    }
  });

  it("writes the HTTP-date with the right weekday", () => {
    // LicenseSpring's authorization page pairs this date with "Tue"; 7 June 2014 was a Saturday.
    const signed = signRequest(
      { url: "https://x/", headers: { Date: `{hash.getDate("EEE, dd MMM yyyy HH:mm:ss 'GMT'");}` } },
      { now: new Date("2014-06-07T20:51:35Z") },
    );
    expect(signed.headers.Date).toBe("Sat, 07 Jun 2014 20:51:35 GMT");
  });
});

describe("Talon.One (legacy HMAC)", () => {
  it("signs the exact body bytes with the hex-decoded application key", () => {
    const body = JSON.stringify({ customerSession: { profileId: "ünïcode", total: 12.5 } });
    const signed = signRequest(
      {
        method: "PUT",
        url: "https://demo.talon.one/v1/customer_sessions/abc",
        headers: {
          "Content-Type": "application/json",
          "Content-Signature": `signer=42; signature={hash.getRequestBody().encodeHmacMd5(hash.fromHex(hash.getSecret("talon_key"))).toHex().printDigest();}`,
        },
        body,
      },
      { secrets: { talon_key: "fefecafedeadbeef" } },
    );
    const expected = createHmac("md5", Buffer.from("fefecafedeadbeef", "hex")).update(body, "utf8").digest("hex");
    expect(signed.headers["Content-Signature"]).toBe(`signer=42; signature=${expected}`);
  });

  it("signs a body that is itself a template, as expanded", () => {
    const signed = signRequest(
      {
        method: "POST",
        url: "https://x/",
        headers: { "X-Body-Sha256": `{hash.getRequestBody().encodeSha256().toHex().printDigest();}` },
        body: `{"at":"{hash.getEpochMillis();}"}`,
      },
      { now: 1_700_000_000_123 },
    );
    expect(signed.body).toBe(`{"at":"1700000000123"}`);
    expect(signed.headers["X-Body-Sha256"]).toBe(createHash("sha256").update(`{"at":"1700000000123"}`).digest("hex"));
  });
});

describe("signRequest", () => {
  it("keeps header names and text outside blocks byte-for-byte, and the method as given", () => {
    const signed = signRequest({
      method: "patch",
      url: "https://x/a%2Fb?q=%20",
      headers: [
        ["x-CaSe", "  spaced {date.today} value  "],
        ["x-CaSe", "again"],
      ],
    });
    expect(signed).toEqual({
      method: "patch",
      url: "https://x/a%2Fb?q=%20",
      headers: [
        ["x-CaSe", "  spaced {date.today} value  "],
        ["x-CaSe", "again"],
      ],
      body: undefined,
    });
  });

  it("expands headers in the order their reads require, whatever order they are given in", () => {
    const signed = signRequest({
      url: "https://x/p?a=1",
      headers: {
        C: `{hash.append(hash.getRequestHeader("b")).append("+c").printDigest();}`,
        B: `{hash.append(hash.getRequestHeader("A")).append("+b").printDigest();}`,
        A: `{hash.append(hash.getRequestMethod()).append(hash.getRequestPath()).append("?").append(hash.getRequestQuery()).printDigest();}`,
      },
    });
    expect(signed.headers).toEqual({ C: "GET/p?a=1+b+c", B: "GET/p?a=1+b", A: "GET/p?a=1" });
  });

  it.each([
    {
      headers: { A: `{hash.getRequestHeader("B");}`, B: `{hash.getRequestHeader("a");}` },
      message: "headers 'B' and 'A' read each other",
    },
    { headers: { A: `{hash.getRequestHeader("A");}` }, message: "header 'A' reads itself" },
  ])("names both headers of a cycle: $message", ({ headers, message }) => {
    const e = errorOf(() => signRequest({ url: "https://x/", headers }));
    expect(e.code).toBe("HEADER_CYCLE");
    expect(e.message).toBe(message);
  });

  it("reports a read of a header the request does not have", () => {
    const e = errorOf(() => signRequest({ url: "https://x/", headers: { A: `{hash.getRequestHeader("Date");}` } }));
    expect(e).toMatchObject({ code: "MISSING_HEADER", message: "the request has no header 'Date'" });
    expect(e.problems[0]?.where).toBe("header A");
  });

  it.each([
    {
      request: { url: "https://x/", body: `{hash.getRequestBody().toHex().printDigest();}` },
      where: "body",
      message: "the body reads itself",
    },
    {
      request: {
        url: `https://x/?q={hash.getRequestHeader("a");}`,
        headers: { a: `{hash.getRequestQuery();}` },
      },
      where: "header a",
      message: "header 'a' and the URL's parameter 'q' read each other",
    },
    {
      request: { url: `https://x/{hash.getRequestPath();}` },
      where: "URL",
      message: "the URL's path reads itself",
    },
  ])("refuses a read that no order can give ($message)", ({ request, where, message }) => {
    const e = errorOf(() => signRequest(request));
    expect(e).toMatchObject({ code: "READ_CYCLE", message });
    expect(e.problems[0]?.where).toBe(where);
    expect(e.format()).toContain(`--> ${where}, line 1`);
  });

  it("reports every problem of every part in one run, each with its place", () => {
    const e = errorOf(() =>
      signRequest({
        url: `https://x/?a={hash.appnd("x").printDigest();}`,
        body: `{hash.append("x").encodeMd5().printDigest();}`,
        headers: { Sig: `{hash.append("x").encodeHmacSha1("k3y-in-header").printDigest()}` },
      }),
    );
    expect(e.problems.map((p) => [p.where, p.code])).toEqual([
      ["URL", "UNKNOWN_METHOD"],
      ["body", "INPUT_KIND"],
      ["header Sig", "MISSING_SEMICOLON"],
    ]);
    expect(e.format()).not.toContain("k3y-in-header");
  });

  it.each([
    ["https://h/p/q?x=1&y=2#frag", "/p/q", "x=1&y=2"],
    ["https://h", "/", ""],
    ["https://h?x", "/", "x"],
    ["https://user@h:8080/a%20b/?", "/a%20b/", ""],
    ["/relative/path?z", "/relative/path", "z"],
  ])("takes the path and query of %s as they stand", (url, path, query) => {
    expect(pathAndQuery(url)).toEqual({ path, query });
  });
});

describe("signRequest on hostile input", () => {
  /** A block of `reads` reads of one header, within maxCallsPerChain. */
  const reads = (name: string, count: number) =>
    `{hash.getRequestHeader("${name}")${`.append(hash.getRequestHeader("${name}"))`.repeat(count - 1)}.printDigest();}`;

  it("reports the first problems of a header that reads a missing one 1,750 times, and counts the rest", () => {
    // The audit's shape: one 61 KB header. Each problem used to mask the whole header again.
    const value = reads("n", 250).repeat(7);
    expect(value.length).toBeGreaterThan(60_000);
    const e = errorOf(() => signRequest({ url: "https://x/", headers: { A: value } }));
    expect(e.problems).toHaveLength(MAX_REPORTED_PROBLEMS);
    expect(e.omitted).toBe(1650);
    expect(new Set(e.problems.map((p) => p.code))).toEqual(new Set(["MISSING_HEADER"]));
    const offsets = e.problems.map((p) => p.span.offset);
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
  });

  it("caps the problems of several parts together, in part order, and adds up what each part omitted", () => {
    // 150 unknown methods in the URL (100 reported, 50 omitted), then 60 reads in each of two headers.
    const url = `https://x/?${'{hash.appnd("x").printDigest();}'.repeat(150)}`;
    const e = errorOf(() => signRequest({ url, headers: { A: reads("nope", 60), B: reads("nope", 60) } }));
    expect(e.problems).toHaveLength(MAX_REPORTED_PROBLEMS);
    expect(e.problems.every((p) => p.where === "URL" && p.code === "UNKNOWN_METHOD")).toBe(true);
    expect(e.omitted).toBe(50 + 120);
  });

  it("orders a header's problems by offset, whatever kind they are", () => {
    const value = `{hash.getRequestHeader("A");}{hash.getRequestHeader("nope");}`;
    const e = errorOf(() => signRequest({ url: "https://x/", headers: { A: value } }));
    expect(e.problems.map((p) => [p.code, p.span.offset])).toEqual([
      ["HEADER_CYCLE", value.indexOf("getRequestHeader")],
      ["MISSING_HEADER", value.lastIndexOf("getRequestHeader")],
    ]);
  });

  it("refuses a request of more blocks than maxBlocks in all, before ordering them", () => {
    const headers = Array.from({ length: 11 }, (_, i): [string, string] => [
      `h${i}`,
      "{hash.getSignedHeaders();}".repeat(100),
    ]);
    const e = errorOf(() => signRequest({ url: "https://x/", headers }));
    expect(e.code).toBe("LIMIT_EXCEEDED");
    expect(e.problems[0]?.where).toBe("header h10");
  });

  it("orders a chain of 10,000 headers, each reading the next, without running out of stack", () => {
    const chain = (last: string) =>
      Array.from({ length: 10_000 }, (_, i): [string, string] => [
        `h${i}`,
        i < 9_999 ? `{hash.getRequestHeader("h${i + 1}");}` : last,
      ]);
    // maxBlocks bounds the request as a whole: raised here, for a chain past the default.
    const limits = { maxBlocks: 10_000 };
    expect(signRequest({ url: "https://x/", headers: chain("end") }, { limits }).headers[0]).toEqual(["h0", "end"]);
    const e = errorOf(() =>
      signRequest({ url: "https://x/", headers: chain(`{hash.getRequestHeader("h0");}`) }, { limits }),
    );
    expect(e).toMatchObject({ code: "HEADER_CYCLE", message: "headers 'h9999' and 'h0' read each other" });
    expect(e.problems[0]?.where).toBe("header h9999");
  });

  const block = (chain: string) => `{${chain}.printDigest();}`;
  const newline = block(`hash.append("a").appendNewLine()`);
  const secret = `{hash.getSecret("k");}`;
  const escapes = block(String.raw`hash.append("a\r\nX: 1")`);
  const nul = block(String.raw`hash.append("\u0000")`);
  it.each([
    { what: "LF in the text", value: "a\nX-Injected: 1", at: "\n" },
    { what: "CR in the text", value: "ab\r", at: "\r" },
    { what: "NUL in the text", value: "\0", at: "\0" },
    { what: "LF in the text after a block", value: `${block(`hash.append("a")`)}\n`, at: "\n" },
    { what: "a block giving LF", value: `x ${newline}`, at: newline },
    { what: "a literal's escapes", value: escapes, at: escapes },
    { what: "a literal's NUL", value: nul, at: nul },
    // Adjacent blocks: the first gives what the second gives before its line break.
    { what: "the second of two blocks", value: `${block(`hash.append("a")`)}${newline}`, at: newline },
    { what: "a secret", value: `Bearer ${secret}`, at: secret },
  ])("refuses a header value with $what, at the character or the block that gave it", ({ value, at }) => {
    const request = {
      url: "https://x/",
      headers: [
        ["Accept", "*/*"],
        ["X-Sig", value],
      ] as [string, string][],
    };
    const e = errorOf(() => signRequest(request, { secrets: { k: "t0ken\r\nX-Injected: 1" } }));
    expect(e).toMatchObject({ code: "INVALID_HEADER_VALUE", span: { offset: value.indexOf(at), length: at.length } });
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]?.where).toBe("header X-Sig");
    expect(e.message).toContain(quoteName("X-Sig"));
    for (const shown of [e.format(), JSON.stringify(e)]) expect(shown).not.toContain("t0ken");
  });

  it("refuses the value before any header reads it, and in explainRequest too", () => {
    const request = {
      url: "https://x/",
      headers: { B: `{hash.append(hash.getRequestHeader("A")).printDigest();}`, A: `{hash.getSecret("k");}` },
    };
    const options = { secrets: { k: "a\nb" } };
    for (const e of [errorOf(() => signRequest(request, options)), errorOf(() => explainRequest(request, options))]) {
      expect(e).toMatchObject({ code: "INVALID_HEADER_VALUE", span: { offset: 0 } });
      expect(e.problems[0]?.where).toBe("header A");
    }
  });

  it("keeps tabs, other controls and non-ASCII in a value: only CR, LF and NUL are refused", () => {
    const value = "a\tb\u0001é€";
    expect(signRequest({ url: "https://x/", headers: { A: value } }).headers.A).toBe(value);
  });

  it.each(["", "Bad Name", "X:Y", "A\r\nInjected", "é", "\u001b[2J"])(
    "refuses a header name that is not a token (%j) as the host's mistake",
    (name) => {
      const sign = () => signRequest({ url: "https://x/", headers: [[name, "v"]] });
      expect(sign).toThrow(TypeError);
      expect(sign).toThrow(quoteName(name));
    },
  );

  it("accepts every token character in a header name", () => {
    const name = "!#$%&'*+-.^_`|~09AZaz";
    expect(signRequest({ url: "https://x/", headers: [[name, "v"]] }).headers).toEqual([[name, "v"]]);
  });

  it("escapes the names it quotes: a header name read, a header in a cycle", () => {
    const forged = "\u001b]52;c;AAAA\u0007\u001b[2J\nerror[FAKE] all good";
    const literal = JSON.stringify(forged); // the same escapes as the language's
    const missing = errorOf(() =>
      signRequest({ url: "https://x/", headers: { A: `{hash.getRequestHeader(${literal});}` } }),
    );
    expect(missing.message).toBe(`the request has no header ${quoteName(forged)}`);
    const cycle = errorOf(() =>
      signRequest({ url: "https://x/", headers: { "it's": `{hash.getRequestHeader("it's");}` } }),
    );
    expect(cycle.message).toBe(`header ${quoteName("it's")} reads itself`);
    for (const e of [missing, cycle]) {
      const shown = e.format();
      expect([...shown].filter((c) => (c < " " && c !== "\n") || c === "\u007f")).toEqual([]);
      expect(shown).not.toContain("\nerror[FAKE]");
    }
  });

  it("says how to fix a missing header without the CLI's flags", () => {
    const e = errorOf(() => signRequest({ url: "https://x/", headers: { A: `{hash.getRequestHeader("Date");}` } }));
    expect(e.hint).toBe("add it to the request's headers");
  });
});

describe("signRequest's errors", () => {
  const headers = { A: `{hash.append("visible-text").append(hash.getRequestHeader("nope")).printDigest();}` };
  it.each([
    { revealSecrets: false, shown: false },
    { revealSecrets: true, shown: true },
  ])("show literals only when asked (revealSecrets: $revealSecrets)", ({ revealSecrets, shown }) => {
    for (const request of [{ url: `https://x/?{hash.appnd("visible-text");}` }, { url: "https://x/", headers }]) {
      const e = errorOf(() => signRequest(request, { revealSecrets }));
      expect(e.format().includes("visible-text")).toBe(shown);
    }
  });
});

describe("signRequest's cache of compiled requests", () => {
  const request = {
    url: `https://x/?a=1&t={hash.getEpochMillis();}&sig={hash.getRequestQuery().encodeHmacSha256(hash.getSecret("k")).toHex().printDigest();}`,
    headers: [
      ["X-Nonce", "{hash.getNonce(4);}"],
      [
        "X-Sig",
        `{hash.append(hash.getRequestHeader("X-Nonce")).append(hash.getSignedHeaders()).encodeMd5().toHex().printDigest();}`,
      ],
    ] as [string, string][],
  };
  const byHand = (now: number, key: string, nonce: string) => {
    const query = `a=1&t=${now}`;
    return {
      url: `https://x/?${query}&sig=${createHmac("sha256", key).update(query).digest("hex")}`,
      sig: createHash("md5").update(`${nonce}host;x-nonce`).digest("hex"),
    };
  };

  it("signs each call afresh with what it is given (clock, secrets, random), cached or not", () => {
    for (const helper of [createHashHelper(), createHashHelper({ cache: false })]) {
      for (const [now, key, byte] of [
        [1000, "k1", 1],
        [2000, "k2", 2],
        [1000, "k1", 3],
      ] as const) {
        const signed = helper.signRequest(request, { now, secrets: { k: key }, random: (b) => b.fill(byte) });
        const nonce = Buffer.alloc(4, byte).toString("hex");
        const expected = byHand(now, key, nonce);
        expect(signed.url).toBe(expected.url);
        expect(signed.headers).toEqual([
          ["X-Nonce", nonce],
          ["X-Sig", expected.sig],
        ]);
      }
    }
  });

  it("gives headers as a record of their own each call, in order, a name __proto__ an own key", () => {
    const helper = createHashHelper();
    const headers = JSON.parse(
      '{"Accept":"text/plain","__proto__":"{hash.append(\\"p\\").toHex().printDigest();}","X-Sig":"{hash.getRequestQuery().encodeMd5().toHex().printDigest();}","Z":"z"}',
    ) as Record<string, string>;
    const request = { url: "https://x/?q=1", headers };
    const expected = [
      ["Accept", "text/plain"],
      ["__proto__", "70"],
      ["X-Sig", createHash("md5").update("q=1").digest("hex")],
      ["Z", "z"],
    ];
    const first = helper.signRequest(request);
    expect(Object.keys(first.headers)).toEqual(["Accept", "__proto__", "X-Sig", "Z"]);
    expect(Object.getPrototypeOf(first.headers)).toBe(Object.prototype);
    expect(Object.entries(first.headers)).toEqual(expected);
    // The record is the caller's to change: the next signing, from the cache, is not.
    (first.headers as Record<string, string>).Accept = "changed";
    (first.headers as Record<string, string>).added = "x";
    const second = helper.signRequest({ url: "https://x/?q=1", headers: { ...headers } });
    expect(second.headers).not.toBe(first.headers);
    expect(Object.entries(second.headers)).toEqual(expected);
    // A value that changes from call to call is this call's, not the first's.
    const clocked = { url: "https://x/", headers: { A: "a", T: "{hash.getEpochMillis();}" } };
    expect(helper.signRequest(clocked, { now: 1000 }).headers).toEqual({ A: "a", T: "1000" });
    expect(helper.signRequest({ ...clocked }, { now: 2000 }).headers).toEqual({ A: "a", T: "2000" });
  });

  it("compiles a request whose texts or header names differ on its own", () => {
    const helper = createHashHelper();
    const one = helper.signRequest({ url: "https://x/", headers: [["A", "{hash.getSignedHeaders();}"]] });
    const two = helper.signRequest({ url: "https://x/", headers: [["B", "{hash.getSignedHeaders();}"]] });
    expect(one.headers).toEqual([["A", "host"]]);
    expect(two.headers).toEqual([["B", "host"]]);
    // An error is not kept: it is found again, and a fixed request then signs.
    expect(errorOf(() => helper.signRequest({ url: "https://x/{hash.nope();}" })).code).toBe("UNKNOWN_METHOD");
    expect(errorOf(() => helper.signRequest({ url: "https://x/{hash.nope();}" })).code).toBe("UNKNOWN_METHOD");
  });
});
