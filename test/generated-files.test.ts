import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { generatedFiles } from "../scripts/generated-files.ts";
import { createHashHelper } from "../src/instance.ts";
import { errorCodes, HashHelperError } from "../src/language/errors.ts";
import { HostFunctionError } from "../src/language/host.ts";
import { signature } from "../src/language/method.ts";
import { methods } from "../src/language/methods.ts";

const root = new URL("../", import.meta.url);
const pathOf = (path: string) => fileURLToPath(new URL(path, root));
const read = (path: string) => (existsSync(pathOf(path)) ? readFileSync(pathOf(path), "utf8") : undefined);

const files = generatedFiles();

describe("generated files are up to date", () => {
  it.each(Object.keys(files))("%s", (path) => {
    const onDisk = read(path);
    expect(onDisk, `${path} is missing: run \`npm run generate\``).toBeDefined();
    // A boolean first, so a drift fails with the instruction rather than a page-long diff.
    expect(onDisk === files[path], `${path} differs from what the code generates now: run \`npm run generate\``).toBe(
      true,
    );
  });
});

describe("docs/methods.md", () => {
  const doc = read("docs/methods.md") ?? "";

  it.each([...methods.values()])("documents $name", (method) => {
    expect(doc).toContain(`\n## ${method.name}\n`);
    expect(doc).toContain(signature(method));
    expect(doc).toContain(method.example);
  });
});

describe("grammar/diagrams.html", () => {
  const html = read("grammar/diagrams.html") ?? "";

  // It is shipped in the package, where no node_modules/chevrotain sits beside it; the
  // installed copy is opened in Chromium by test/package.test.ts.
  it("loads nothing from outside itself", () => {
    expect(html).not.toMatch(/<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=/i);
    expect(html).not.toMatch(/@import|url\(/i);
  });

  const diagrams = join(dirname(createRequire(import.meta.url).resolve("chevrotain")), "../../diagrams");
  it.each([
    "vendor/railroad-diagrams.js",
    "src/diagrams_builder.js",
    "src/diagrams_behavior.js",
    "src/main.js",
    "diagrams.css",
  ])("holds chevrotain's diagrams/%s", (file) => {
    expect(html.includes(readFileSync(join(diagrams, file), "utf8").trimEnd())).toBe(true);
  });
});

// docs/errors.md is written by hand; these keep its examples honest. Each `### CODE` section holds
// an example that must fail with that code first, then the fixed version, which must succeed.
type Kind = "template" | "expression" | "request";

// The browser build, for the examples marked `browser` (the suite builds dist/ before it runs).
const browserBuild = existsSync(new URL("dist/browser.js", root))
  ? ((await import(new URL("dist/browser.js", root).href)) as typeof import("../src/index.ts"))
  : undefined;

describe("docs/errors.md", () => {
  const doc = read("docs/errors.md") ?? "";
  const codes: readonly string[] = errorCodes;
  const sections = new Map(
    doc
      .split(/^### /m)
      .slice(1)
      .map((section) => {
        const [title = "", ...rest] = section.split("\n");
        // An example may set the clock (```template now=8640000000000000), or the random bytes
        // the expansion draws from, as --nonce does (```template nonce=00112233).
        const examples = [
          ...rest
            .join("\n")
            .matchAll(
              /^```(template|expression|request)(?: now=(-?\d+))?(?: nonce=([0-9a-f]+))?(?: (browser))?\n([^\n]*)\n```$/gm,
            ),
        ].map((m) => ({
          kind: m[1] as Kind,
          now: m[2] === undefined ? 0 : Number(m[2]),
          nonce: m[3],
          browser: m[4] !== undefined,
          source: m[5] as string,
        }));
        return [title.trim(), examples] as const;
      }),
  );
  // The page says its examples run with one secret supplied, api_key, and with a host that adds
  // one function, getAccount(id), which knows one account.
  const rfc9421 = JSON.parse(read("test/fixtures/vectors/signatures/rfc9421-b1-keys.json") ?? "{}");
  const secrets = { api_key: "example-secret", rsa_key: rfc9421["test-key-rsa"]?.private as string };
  const host = createHashHelper({
    methods: [
      {
        name: "getAccount",
        params: [{ name: "id", accepts: ["text"], isName: true }],
        summary: "The account's key, from the host.",
        run: ([id]) => {
          if (id !== "acct-42") throw new HostFunctionError("no such account");
          return "account-key";
        },
      },
    ],
  });
  // A request example is one line of JSON, signed with signRequest().
  const run = ({
    kind,
    source,
    now,
    nonce,
    browser,
  }: {
    kind: Kind;
    source: string;
    now: number;
    nonce?: string | undefined;
    browser?: boolean;
  }) => {
    const given = nonce === undefined ? undefined : Buffer.from(nonce, "hex");
    const random = (bytes: Uint8Array) => {
      if (!given) return globalThis.crypto.getRandomValues(bytes);
      if (given.length < bytes.length)
        throw new Error(`--nonce gives ${given.length} bytes, and ${bytes.length} are needed`);
      bytes.set(given.subarray(0, bytes.length));
    };
    const options = { now, secrets, random };
    if (browser) {
      if (!browserBuild) throw new Error("dist/browser.js is not built: run npm run build");
      try {
        return browserBuild.expand(source, options);
      } catch (e) {
        // The build's own class: the same reports, as this build's error.
        if (e instanceof browserBuild.HashHelperError) throw new HashHelperError([...e.problems], e.omitted);
        throw e;
      }
    }
    return kind === "template"
      ? host.expand(source, options)
      : kind === "expression"
        ? host.evaluate(source, options)
        : host.signRequest(JSON.parse(source), options);
  };

  it.each(codes)("%s: its example fails with it, and the fix works", (code) => {
    const [example, fix] = sections.get(code) ?? [];
    expect(
      example,
      `docs/errors.md has no \`### ${code}\` section with a template or expression example`,
    ).toBeDefined();
    if (!example) return;
    let error: unknown;
    try {
      run(example);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HashHelperError);
    expect((error as HashHelperError).code).toBe(code);
    expect(fix, `the ${code} section shows no fixed version`).toBeDefined();
    if (fix) expect(() => run(fix)).not.toThrow();
  });

  it("documents no code that does not exist", () => {
    expect([...sections.keys()].filter((title) => !codes.includes(title))).toEqual([]);
  });
});
