// The package as an application gets it: packed, installed from the tarball alone (offline, so
// that a dependency it would need cannot be fetched), then used the ways an application uses
// it. The oracles are node:crypto (workload.ts's Moz URL by hand), the parser in the sources
// (the rule names of the diagrams) and TypeScript itself.
import { execFileSync, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HashHelperParser } from "../src/syntax/parser.ts";
import { chromiumForSuite, haveChromium, pageLog } from "./bundle/chromium.ts";
import { input, mozByHand } from "./bundle/workload.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

let work: string;
let consumer: string;
let installed: string;

/** npm as the user runs it, under the Node running the tests (it is first on PATH in .ci/run). */
function npm(args: string[], cwd: string): string {
  return execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8" });
}

function node(args: string[], cwd = consumer): string {
  const run = spawnSync(process.execPath, args, { cwd, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`node ${args.join(" ")} exited ${run.status}: ${run.stderr}`);
  expect(run.stderr).toBe("");
  return run.stdout;
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "hash-helper-package-"));
  // The test setup builds the bundles only; the declarations are part of the package too.
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: root,
  });
  const [packed] = JSON.parse(npm(["pack", "--ignore-scripts", "--json", "--pack-destination", work], root)) as {
    filename: string;
  }[];
  if (!packed) throw new Error("npm pack made no tarball");
  consumer = join(work, "consumer");
  mkdirSync(consumer);
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  npm(["install", "--offline", join(work, packed.filename)], consumer);
  installed = join(consumer, "node_modules/hash-helper");
}, 180_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("installed from its tarball", () => {
  it("brings no dependency: npm ls --omit=dev lists hash-helper alone", () => {
    const tree = JSON.parse(npm(["ls", "--omit=dev", "--all", "--json"], consumer)) as {
      dependencies?: Record<string, { dependencies?: object }>;
    };
    expect(Object.keys(tree.dependencies ?? {})).toStrictEqual(["hash-helper"]);
    // The editor's CodeMirror packages are optional peers: npm ls names them, empty, and installs none.
    const { peerDependenciesMeta = {} } = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      peerDependenciesMeta?: Record<string, { optional?: boolean }>;
    };
    const listed = Object.entries(tree.dependencies?.["hash-helper"]?.dependencies ?? {});
    expect(
      listed.filter(([name, d]) => Object.keys(d).length > 0 || !peerDependenciesMeta[name]?.optional),
    ).toStrictEqual([]);
    expect(readdirSync(join(consumer, "node_modules")).filter((name) => !name.startsWith("."))).toStrictEqual([
      "hash-helper",
    ]);
  });

  it("ships a LICENSE and no source maps or sources", () => {
    expect(existsSync(join(installed, "LICENSE"))).toBe(true);
    const files = readdirSync(installed, { recursive: true, encoding: "utf8" });
    expect(files.filter((file) => file.endsWith(".map") || /^src[\\/]/.test(file))).toStrictEqual([]);
  });

  const program = `hash.expand(${JSON.stringify(input.moz)}, { now: ${input.now} })`;

  it("signs Moz's URL as node:crypto does, imported", () => {
    const script = `import("hash-helper").then((hash) => process.stdout.write(${program}))`;
    expect(node(["-e", script])).toBe(mozByHand());
  });

  // require(esm) is on by default from Node 20.19 and 22.12, the versions package.json allows.
  it("signs Moz's URL as node:crypto does, required from CommonJS", () => {
    const script = `const hash = require("hash-helper"); process.stdout.write(${program})`;
    expect(node(["-e", script])).toBe(mozByHand());
  });

  it("runs its command from node_modules/.bin", () => {
    const expression = `hash.append("a").encodeHmacSha256("k").encodeBase64().printDigest()`;
    const bin = join(consumer, "node_modules/.bin/hash-helper");
    expect(node([bin, "eval", expression])).toBe(`${createHmac("sha256", "k").update("a").digest("base64")}\n`);
  });

  // skipLibCheck off: every declaration the API reaches is checked, so one that imported a
  // package the consumer does not have (chevrotain) would fail here.
  it.each([
    ["nodenext", "nodenext"],
    ["bundler", "esnext"],
    ["node10", "commonjs"],
  ])("type-checks for a consumer with moduleResolution %s", (moduleResolution, module) => {
    const dir = join(consumer, `types-${moduleResolution}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "use.ts"),
      [
        `import { expand, HashHelperError, type Limits } from "hash-helper";`,
        "export function sign(template: string, limits: Partial<Limits>): string {",
        "  try {",
        "    return expand(template, { now: 0, limits });",
        "  } catch (e) {",
        '    return e instanceof HashHelperError ? e.code + " at " + e.span.offset : "other";',
        "  }",
        "}",
      ].join("\n"),
    );
    const compilerOptions = { strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ["ES2022"] };
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { ...compilerOptions, module, moduleResolution }, files: ["use.ts"] }),
    );
    const tsc = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
      encoding: "utf8",
    });
    expect(tsc.stdout).toBe("");
    expect(tsc.status).toBe(0);
  });
});

describe.skipIf(!haveChromium)("the installed grammar/diagrams.html in Chromium", () => {
  const browser = chromiumForSuite();

  it("draws a railroad diagram for every rule of the parser, offline", async () => {
    const context = await browser().newContext({ offline: true });
    const page = await context.newPage();
    const problems = pageLog(page);
    page.on("request", (request) => {
      if (!request.url().startsWith("file:")) problems.push(`request: ${request.url()}`);
    });
    await page.goto(pathToFileURL(join(installed, "grammar/diagrams.html")).href);
    const drawn = await page.$$eval("h2.diagramHeader", (headers) =>
      headers.map((header) => {
        const svg = header.nextElementSibling;
        return {
          rule: header.textContent,
          svg: svg?.matches("svg.railroad-diagram") === true,
          paths: svg?.querySelectorAll("path").length ?? 0,
        };
      }),
    );
    const rules = Object.keys(new HashHelperParser().getGAstProductions());
    expect(drawn.map((d) => d.rule)).toStrictEqual(rules);
    for (const d of drawn) {
      expect(d.svg, d.rule ?? "").toBe(true);
      expect(d.paths, d.rule ?? "").toBeGreaterThan(0);
    }
    expect(problems).toStrictEqual([]);
    await context.close();
  }, 60_000);
});
