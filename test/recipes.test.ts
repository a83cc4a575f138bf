import { createHmac } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { pathAndQuery } from "../src/features/sign-request.ts";
import { type ExpandOptions, signRequest } from "../src/index.ts";
import { type Keys, refusal } from "./fixtures/signing-server.ts";

// Every recipe in docs/recipes/ holds one request in an `http` block, written the way
// `hash-helper sign` prints a request. Each is signed here and checked against an oracle that does
// not use the interpreter: a published example, or node:crypto doing what the API documents.

const dir = new URL("../docs/recipes/", import.meta.url);

function recipe(file: string) {
  const text = readFileSync(new URL(file, dir), "utf8");
  const block = /^```http\n([\s\S]*?)\n```$/m.exec(text)?.[1];
  if (!block) throw new Error(`${file} has no http block`);
  const [head = "", ...rest] = block.split("\n\n");
  const [requestLine = "", ...headerLines] = head.split("\n");
  const space = requestLine.indexOf(" ");
  return {
    method: requestLine.slice(0, space),
    url: requestLine.slice(space + 1),
    headers: headerLines.map(
      (line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trimStart()] as const,
    ),
    body: rest.length > 0 ? rest.join("\n\n") : undefined,
  };
}

const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const KEYS: Keys = {
  unleashed: { id: "YOUR-API-ID", key: "unleashed-key-1" },
  licensespring: { apiKey: "ls-api-key", sharedKey: "ls-shared-key" },
  talon: { applicationId: "42", applicationKey: "fefecafedeadbeef" },
};
const secrets = {
  unleashed: KEYS.unleashed.key,
  ls_api: KEYS.licensespring.apiKey,
  ls_shared: KEYS.licensespring.sharedKey,
  talon_key: KEYS.talon.applicationKey,
};

/** The fixture server's verdict on a signed request, for the API its path prefix names. */
function verdict(api: string, file: string, options: ExpandOptions & { now: Date }) {
  const signed = signRequest(recipe(file), options);
  const { path, query } = pathAndQuery(signed.url);
  const headers = Object.fromEntries(signed.headers.map(([name, value]) => [name.toLowerCase(), value]));
  const body = new TextEncoder().encode(signed.body ?? "");
  return refusal({ path: `/${api}${path}`, query, headers, body }, options.now.getTime(), KEYS);
}

describe("docs/recipes", () => {
  it("has a page for each API of the index, and each has an http block", () => {
    const pages = readdirSync(dir).filter((f) => f.endsWith(".md") && f !== "README.md");
    expect(pages.sort()).toEqual(
      ["aws-s3-presigned-url.md", "licensespring.md", "marvel.md", "moz.md", "talon-one.md", "unleashed.md"].sort(),
    );
    for (const page of pages) expect(() => recipe(page)).not.toThrow();
  });

  it("Moz: Expires and the HMAC-SHA1 of AccessID\\nExpires", () => {
    const now = new Date("2024-05-06T07:08:09Z");
    const signed = signRequest(recipe("moz.md"), { now, secrets: { moz: "0123456789abcdef0123456789abcdef" } });
    const expires = String(now.getTime() / 1000 + 240);
    const signature = createHmac("sha1", "0123456789abcdef0123456789abcdef")
      .update(`mozscape-b6838361ee\n${expires}`)
      .digest("base64");
    expect(signed.url).toBe(
      `http://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2fblog?Cols=4&AccessID=mozscape-b6838361ee&Expires=${expires}&Signature=${rfc3986(signature)}`,
    );
  });

  it("Marvel: the published example (ts=1, abcd, 1234)", () => {
    const signed = signRequest(recipe("marvel.md"), { now: 1000, secrets: { marvel_private: "abcd" } });
    expect(signed.url).toBe(
      "https://gateway.marvel.com/v1/public/characters?ts=1&apikey=1234&hash=ffd275c5130566a2916217b101f26150",
    );
  });

  it.each([
    { api: "unleashed", file: "unleashed.md", secret: "unleashed" },
    { api: "licensespring", file: "licensespring.md", secret: "ls_shared" },
    { api: "talon", file: "talon-one.md", secret: "talon_key" },
  ])("$file passes the $api verifier, and fails it with a byte of the key changed", ({ api, file, secret }) => {
    const now = new Date("2025-03-04T05:06:07Z");
    expect(verdict(api, file, { now, secrets })).toBeUndefined();
    const key = secrets[secret as keyof typeof secrets];
    const wrong = { ...secrets, [secret]: `${key.slice(0, -1)}${key.endsWith("0") ? "1" : "0"}` };
    expect(verdict(api, file, { now, secrets: wrong })).toMatch(/bad/);
  });

  it("AWS: reproduces the presigned URL of the S3 documentation", () => {
    const signed = signRequest(recipe("aws-s3-presigned-url.md"), {
      now: new Date("2013-05-24T00:00:00Z"),
      secrets: { aws_secret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" },
    });
    expect(signed.url).toBe(
      "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256" +
        "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
        "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
        "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
    );
  });
});
