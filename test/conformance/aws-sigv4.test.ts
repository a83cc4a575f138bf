// AWS's own SigV4 test suite (test/fixtures/conformance/aws-sigv4/, a copy of
// ../shared/conformance/aws-sigv4/ from awslabs/aws-c-auth, Apache-2.0, so that a clone anywhere
// runs it; checked equal to the shared one where that is there): every
// case signed in both forms, the Authorization header and the presigned URL, with the templates of
// docs/recipes/aws-sigv4-header.md and aws-sigv4-presigned.md (one per flavour: the path
// normalised, or as sent for S3), and compared with the published signed request byte for byte.
// The templates read everything from the request; nothing of request.txt is restated in them.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { signRequest } from "../../src/index.ts";

const suite = new URL("../fixtures/conformance/aws-sigv4/", import.meta.url);
const shared = new URL("../../../shared/conformance/aws-sigv4/", import.meta.url);
const recipes = new URL("../../docs/recipes/", import.meta.url);

interface Context {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  expiration_in_seconds: number;
  normalize: boolean;
  region: string;
  service: string;
  sign_body: boolean;
  timestamp: string;
  omit_session_token?: boolean;
}

/**
 * RFC 9112 §5.2: a header line continued on the next (obs-fold) is read as one, the fold
 * replaced by a space. Applied alike to the request and to the published signed request: our
 * headers cannot hold a line break (and no HTTP client sends one), so they are compared unfolded.
 */
const unfold = (text: string) => text.replace(/\n(?=[ \t])/g, " ");

interface Parsed {
  method: string;
  target: string;
  headers: [string, string][];
  body: string | undefined;
}

/** A request as written in the suite: the request line, `Name:value` lines, a blank line, the body. */
function parseRequest(text: string): Parsed {
  const blank = text.indexOf("\n\n");
  const head = blank < 0 ? text.replace(/\n$/, "") : text.slice(0, blank);
  const body = blank < 0 ? undefined : text.slice(blank + 2);
  const [requestLine = "", ...lines] = head.split("\n");
  const method = requestLine.slice(0, requestLine.indexOf(" "));
  const target = requestLine.slice(method.length + 1, requestLine.lastIndexOf(" HTTP/1.1"));
  // The value as written after the colon, spaces included: canonicalising is the template's job.
  const headers = lines.map((l): [string, string] => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1)]);
  return { method, target, headers, body: body === "" ? undefined : body };
}

/** A request written the way the suite writes one. */
function written(r: {
  method: string;
  target: string;
  headers: readonly (readonly [string, string])[];
  body?: string | undefined;
}) {
  return `${r.method} ${r.target} HTTP/1.1\n${r.headers.map(([n, v]) => `${n}:${v}`).join("\n")}\n\n${r.body ?? ""}`;
}

/** The http blocks of a recipe page: the first for every service but S3, the second for S3. */
function templates(page: string): { method: string; url: string; headers: [string, string][] }[] {
  const text = readFileSync(new URL(page, recipes), "utf8");
  return [...text.matchAll(/^```http\n([\s\S]*?)\n```$/gm)].map(([, block = ""]) => {
    const [line = "", ...rest] = block.split("\n");
    return {
      method: line.slice(0, line.indexOf(" ")),
      url: line.slice(line.indexOf(" ") + 1),
      headers: rest.map((l): [string, string] => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trimStart()]),
    };
  });
}

const cases = existsSync(suite)
  ? readdirSync(suite).filter((d) => existsSync(new URL(`${d}/context.json`, suite)))
  : [];
const read = (name: string, file: string) => readFileSync(new URL(`${name}/${file}`, suite), "utf8");
const [headerAws, headerS3] = templates("aws-sigv4-header.md");
const [queryAws, queryS3] = templates("aws-sigv4-presigned.md");
/** A page's block of the given kind: the headers, or the parameter, a case adds when it needs them. */
const snippet = (page: string, kind: string) =>
  new RegExp(`^\`\`\`${kind}\n([\\s\\S]*?)\n\`\`\`$`, "m").exec(readFileSync(new URL(page, recipes), "utf8"))?.[1] ??
  "";
const optionalHeaders = snippet("aws-sigv4-header.md", "headers")
  .split("\n")
  .map((l): [string, string] => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trimStart()]);
const tokenParameter = snippet("aws-sigv4-presigned.md", "query");

function setup(name: string) {
  const context = JSON.parse(read(name, "context.json")) as Context;
  const request = parseRequest(unfold(read(name, "request.txt")));
  const host = request.headers.find(([n]) => n.toLowerCase() === "host")?.[1] as string;
  const { token } = context.credentials;
  const options = {
    now: new Date(context.timestamp),
    normalizeUrl: false,
    secrets: {
      aws_access_key_id: context.credentials.access_key_id,
      aws_secret_access_key: context.credentials.secret_access_key,
      ...(token === undefined ? {} : { aws_session_token: token }),
    },
  };
  // A token is signed unless the case adds it after signing (omit_session_token).
  const signsToken = token !== undefined && context.omit_session_token !== true;
  return { context, request, url: `https://${host}${request.target}`, options, token, signsToken };
}

describe("AWS SigV4 test suite (awslabs/aws-c-auth)", () => {
  it("is all there: 38 cases, each with both forms, and the pages' templates", () => {
    expect(cases).toHaveLength(38);
    expect([headerAws, headerS3, queryAws, queryS3].every((t) => t !== undefined)).toBe(true);
    expect(optionalHeaders.map(([n]) => n)).toEqual(["X-Amz-Security-Token", "x-amz-content-sha256"]);
    expect(tokenParameter).toMatch(/^&X-Amz-Security-Token=\{hash\./);
    for (const name of cases) {
      for (const file of ["request.txt", "header-signed-request.txt", "query-signed-request.txt"]) {
        expect(existsSync(new URL(`${name}/${file}`, suite)), `${name}/${file}`).toBe(true);
      }
    }
  });

  it.runIf(existsSync(shared))("is the suite of ../shared/conformance, file for file", () => {
    for (const name of readdirSync(shared)) {
      const files =
        existsSync(new URL(`${name}/`, shared)) && !name.endsWith(".md")
          ? readdirSync(new URL(`${name}/`, shared))
          : [];
      for (const file of files)
        expect(read(name, file), `${name}/${file}`).toBe(readFileSync(new URL(`${name}/${file}`, shared), "utf8"));
    }
  });

  it.each(cases)("%s: the Authorization header", (name) => {
    const { context, request, url, options, token, signsToken } = setup(name);
    const template = (context.normalize ? headerAws : headerS3) as NonNullable<typeof headerAws>;
    // The page's own request has a Host header of its own; the rest are the template, and the
    // page's optional headers where the case needs them: the token before X-Amz-Date, the body's
    // hash after it.
    const optional = (name: string) => optionalHeaders.filter(([n]) => n === name);
    const added = template.headers
      .filter(([n]) => n !== "Host")
      .flatMap((h) =>
        h[0] === "X-Amz-Date"
          ? [
              ...(signsToken ? optional("X-Amz-Security-Token") : []),
              h,
              ...(context.sign_body ? optional("x-amz-content-sha256") : []),
            ]
          : [h],
      );
    const signed = signRequest(
      { method: request.method, url, headers: [...request.headers, ...added], body: request.body },
      options,
    );
    const headers = [...signed.headers];
    if (token !== undefined && !signsToken) {
      // Added after signing, where the suite has it: before X-Amz-Date.
      headers.splice(
        headers.findIndex(([n]) => n === "X-Amz-Date"),
        0,
        ["X-Amz-Security-Token", token],
      );
    }
    const target = signed.url.slice(`https://${headers.find(([n]) => n === "Host")?.[1]}`.length);
    expect(written({ method: signed.method, target, headers, body: signed.body })).toBe(
      unfold(read(name, "header-signed-request.txt")),
    );
    expect(signed.headers.at(-1)?.[1]).toContain(`Signature=${read(name, "header-signature.txt").trim()}`);
  });

  it.each(cases)("%s: the presigned URL", (name) => {
    const { context, request, url, options, token, signsToken } = setup(name);
    const template = (context.normalize ? queryAws : queryS3) as NonNullable<typeof queryAws>;
    let suffix = template.url.slice(template.url.indexOf("X-Amz-Algorithm="));
    if (signsToken) suffix = suffix.replace("&X-Amz-Signature=", `${tokenParameter}&X-Amz-Signature=`);
    const presigned = `${url}${url.includes("?") ? "&" : "?"}${suffix}`;
    const signed = signRequest(
      { method: request.method, url: presigned, headers: request.headers, body: request.body },
      options,
    );
    let signedUrl = signed.url;
    if (token !== undefined && !signsToken) {
      // Added after signing, where the suite has it: before X-Amz-Signature.
      signedUrl = signedUrl.replace(
        "&X-Amz-Signature=",
        `&X-Amz-Security-Token=${encodeURIComponent(token)}&X-Amz-Signature=`,
      );
    }
    const host = request.headers.find(([n]) => n.toLowerCase() === "host")?.[1] as string;
    const target = signedUrl.slice(`https://${host}`.length);
    expect(written({ method: signed.method, target, headers: [...signed.headers], body: signed.body })).toBe(
      unfold(read(name, "query-signed-request.txt")),
    );
    expect(signedUrl).toContain(`X-Amz-Signature=${read(name, "query-signature.txt").trim()}`);
  });
});
