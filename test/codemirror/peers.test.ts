// The optional peers' ranges start no lower than the first release that has every API the
// extension uses: each API is found in its package's own CHANGELOG (the release that added it),
// so a range that allows an older release fails here.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { peerDependencies: Record<string, string> };

/** The release whose notes first say `line`: the heading above it in the CHANGELOG. */
function addedIn(name: string, line: RegExp): string {
  const log = readFileSync(`${root}node_modules/${name}/CHANGELOG.md`, "utf8").split("\n");
  const at = log.findIndex((l) => line.test(l));
  if (at < 0) throw new Error(`${name}'s CHANGELOG does not mention ${line}`);
  for (let i = at; i >= 0; i--) {
    const heading = /^## (\d+\.\d+\.\d+)/.exec(log[i] as string);
    if (heading) return heading[1] as string;
  }
  throw new Error(`no release heading above ${line}`);
}

const parts = (v: string) => v.split(".").map(Number) as [number, number, number];
const atLeast = (a: string, b: string) => {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] as number) > (y[i] as number);
  return true;
};

describe("the peer ranges", () => {
  it.each([
    // src/codemirror/diagnostics.ts: our underline class instead of lint's data: image.
    { name: "@codemirror/lint", api: /Diagnostics can now set a `markClass` property/ },
    // needsRefresh, for refreshHashHelper().
    { name: "@codemirror/lint", api: /new `needsRefresh` option to `linter`/ },
    { name: "@codemirror/lint", api: /Diagnostic objects may now have a `renderMessage` method/ },
  ])("$name has $api from its lowest version", ({ name, api }) => {
    const range = pkg.peerDependencies[name] as string;
    const lowest = /^\^(\d+\.\d+\.\d+)$/.exec(range)?.[1];
    expect(lowest, `${name}'s range ${range}`).toBeDefined();
    const added = addedIn(name, api);
    expect(atLeast(lowest as string, added), `${name} ${range}: ${api} came in ${added}`).toBe(true);
  });
});
