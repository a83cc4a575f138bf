import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The layers of src/ and what each may import (see each folder's README.md). The pipeline runs
// syntax → language → engine → features, secrets beside them; the shells sit on top and use
// only the public API, src/index.ts.
const allowed: Record<string, readonly string[]> = {
  syntax: ["syntax", "language"],
  language: ["language", "platform"],
  platform: ["platform", "language"],
  secrets: ["secrets", "syntax", "language"],
  engine: ["engine", "syntax", "language", "secrets"],
  features: ["features", "engine", "language", "secrets"],
  shells: ["shells", "index"],
  // hash-helper/codemirror: the public API, and the lexer it highlights with (bundled into it).
  codemirror: ["codemirror", "index", "syntax"],
  instance: ["instance", "engine", "features", "language", "secrets"],
  index: ["index", "instance", "engine", "features", "language", "secrets", "syntax"],
  // The entry on Node (dist/index.js): index's classes and limits at once, the rest loaded later.
  node: ["node", "index", "instance", "features", "language"],
};

const src = fileURLToPath(new URL("../src/", import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** The layer a file of src/ belongs to: its first folder, or "index" for src/index.ts. */
function layer(file: string): string {
  const path = relative(src, file);
  return path.includes("/") ? (path.split("/")[0] as string) : path.replace(/\.ts$/, "");
}

const modules = files(src).map((file) => {
  const text = readFileSync(file, "utf8");
  // `import … from "x"`, `export … from "x"`, `import("x")` and `import "x"` alike.
  const imports = [
    ...text.matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)"|\bimport\(\s*"([^"]+)"\s*\)|(?:^|\n)\s*import\s*"([^"]+)"/g,
    ),
  ].map((m) => (m[1] ?? m[2] ?? m[3]) as string);
  return { file, name: relative(src, file), layer: layer(file), text, imports };
});

/** The layer an import reaches, or undefined for a module outside src/ (chevrotain, node:…). */
function target(from: string, spec: string): string | undefined {
  // package.json's "imports" and the package's own name are ways into src/ as well.
  if (spec === "#crypto") return "platform";
  if (spec === "hash-helper") return "index";
  if (!spec.startsWith(".")) return undefined;
  const path = resolve(dirname(from), spec);
  return path.startsWith(src) ? layer(path) : undefined;
}

describe("the layers of src/", () => {
  it.each(Object.keys(allowed).filter((l) => l !== "index" && l !== "instance" && l !== "node"))(
    "%s/ says what it owns and may import",
    (folder) => {
      expect(readFileSync(join(src, folder, "README.md"), "utf8")).toMatch(/May import|imports/);
    },
  );

  it("every file is in a layer", () => {
    const unknown = modules.filter((m) => !(m.layer in allowed)).map((m) => m.name);
    expect(unknown).toEqual([]);
  });

  it.each(modules.map((m) => [m.name, m] as const))("%s imports only what its layer may", (_name, m) => {
    const crossings = m.imports
      .map((spec) => target(m.file, spec))
      .filter((reached): reached is string => reached !== undefined && !(allowed[m.layer] ?? []).includes(reached));
    expect(crossings).toEqual([]);
  });

  it("only syntax/ imports chevrotain", () => {
    const users = modules.filter((m) =>
      m.imports.some((spec) => spec === "chevrotain" || spec.startsWith("@chevrotain/")),
    );
    expect(users.filter((m) => m.layer !== "syntax").map((m) => m.name)).toEqual([]);
    expect(users.length).toBeGreaterThan(0);
  });

  it("only shells/ and platform/ touch the process or Node's own modules", () => {
    const touching = modules.filter(
      (m) =>
        /\bprocess\s*(?:\?\.|\.|\[)/.test(m.text.replace(/\/\/.*|\/\*[\s\S]*?\*\//g, "")) ||
        m.imports.some((s) => s.startsWith("node:")),
    );
    // node.ts loads the rest of the package through Node's module loader (node:module).
    const allowedToTouch = ["shells", "platform", "node"];
    expect(touching.filter((m) => !allowedToTouch.includes(m.layer)).map((m) => m.name)).toEqual([]);
  });

  it("the shells use the package's public API, not its modules", () => {
    const reaching = modules
      .filter((m) => m.layer === "shells")
      .flatMap((m) =>
        m.imports
          .filter((spec) => spec.startsWith("."))
          .map((spec) => resolve(dirname(m.file), spec))
          .filter((target) => target.startsWith(src) && layer(target) !== "shells" && target !== join(src, "index.ts"))
          .map((target) => `${m.name} → ${relative(src, target)}`),
      );
    expect(reaching).toEqual([]);
  });
});
