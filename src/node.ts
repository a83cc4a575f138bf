// The package's entry on Node (dist/index.js), what `import("hash-helper")` runs. It holds what a
// caller can use before calling anything (the error classes, the limits) and loads the rest on
// the first call that needs it: the lexer and parser (chevrotain), the checker, the engine, the
// method table, signing and tracing, 95% of the code. esbuild splits the two, and the
// rest is src/index.ts itself, loaded through require(), which Node 20.19+ does synchronously for
// an ES module. A program that imports hash-helper pays for none of it until it expands a
// template. The browser bundle is src/index.ts whole: a page loads it as one module anyway.
//
// The exports are the same names as src/index.ts's, of the same kinds (test/bundle/bundles.test.ts
// compares them): the classes and values themselves, and for each function one that loads the
// rest and calls it. The types are src/index.ts's (package.json "types").

import type { LintRule } from "./features/lint.ts";
import type * as Api from "./index.ts";
import type { HashHelper } from "./instance.ts";
import type { Method } from "./language/method.ts";

export { InvalidUrlError } from "./features/invalid-url.ts";
export { errorCodes, HashHelperError, isShownName, quoteName } from "./language/errors.ts";
export { HostFunctionError } from "./language/host-error.ts";
export { defaultLimits } from "./language/limits.ts";
export { signature } from "./language/method.ts";

let api: typeof Api | undefined;
function load(): typeof Api {
  // The path of the rest as scripts/build.mjs writes it next to this file.
  if (api) return api;
  // getBuiltinModule rather than an import of node:module: that costs every import of the package.
  const require = process.getBuiltinModule("node:module").createRequire(import.meta.url);
  try {
    api = require("./full.js") as typeof Api;
  } catch (cause) {
    throw new Error(
      'hash-helper could not load dist/full.js, the rest of the package, from beside dist/index.js: a bundler should take the package\'s "module" export (dist/full.js), which is the whole package',
      { cause },
    );
  }
  return api;
}

type Functions = {
  [K in keyof typeof Api as (typeof Api)[K] extends (...args: never[]) => unknown ? K : never]: (typeof Api)[K];
};

// The type checker holds the API to two arguments a function: a third would fail here.
type MoreThanTwo = {
  [K in keyof Functions]: Parameters<Functions[K]> extends [unknown?, unknown?] ? never : K;
}[keyof Functions];
const twoAtMost: [MoreThanTwo] extends [never] ? true : MoreThanTwo = true;
void twoAtMost;

/**
 * A function of the rest that loads it when first called, then calls it. Every function of the
 * API takes two arguments at most, and one left out is the same as undefined; a rest parameter
 * would make an array on every call of expand().
 */
function later<K extends keyof Functions>(name: K): Functions[K] {
  const call = (a?: unknown, b?: unknown) => (load()[name] as (a: unknown, b: unknown) => unknown)(a, b);
  return call as Functions[K];
}

export const compile = later("compile");
export const evaluate = later("evaluate");
export const expand = later("expand");
export const explain = later("explain");
export const explainAndEvaluate = later("explainAndEvaluate");
export const explainAndExpand = later("explainAndExpand");
export const explainAndSignRequest = later("explainAndSignRequest");
export const explainExpression = later("explainExpression");
export const explainRequest = later("explainRequest");
export const parse = later("parse");
export const redact = later("redact");
export const signRequest = later("signRequest");
export const suggest = later("suggest");
export const createHashHelper = later("createHashHelper");
export const formatDiagnostics = later("formatDiagnostics");
export const formatExplanation = later("formatExplanation");
export const lint = later("lint");
export const formatRequestExplanation = later("formatRequestExplanation");
export const isExpression = later("isExpression");
export const unterminatedStrings = later("unterminatedStrings");

/** The default instance: its functions are the top-level ones, as in src/instance.ts. */
export const defaultHelper: HashHelper = Object.freeze({
  compile,
  evaluate,
  expand,
  explain,
  explainAndEvaluate,
  explainAndExpand,
  explainAndSignRequest,
  explainExpression,
  explainRequest,
  parse,
  redact,
  signRequest,
  lint,
  formatDiagnostics,
  cacheUsage: () => load().defaultHelper.cacheUsage(),
  get methods() {
    return load().defaultHelper.methods;
  },
  get limits() {
    return load().defaultHelper.limits;
  },
});

/** A table of the rest (the method table, the lint rules), read from it when first looked at. */
class LaterTable<V> implements ReadonlyMap<string, V> {
  constructor(private readonly table: () => ReadonlyMap<string, V>) {}
  get size(): number {
    return this.table().size;
  }
  get(name: string): V | undefined {
    return this.table().get(name);
  }
  has(name: string): boolean {
    return this.table().has(name);
  }
  keys(): MapIterator<string> {
    return this.table().keys();
  }
  values(): MapIterator<V> {
    return this.table().values();
  }
  entries(): MapIterator<[string, V]> {
    return this.table().entries();
  }
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.table().entries();
  }
  forEach(fn: (value: V, name: string, table: ReadonlyMap<string, V>) => void): void {
    for (const [name, value] of this.table()) fn(value, name, this);
  }
}

export const methods: ReadonlyMap<string, Method> = Object.freeze(new LaterTable(() => load().methods));
export const lintRules: ReadonlyMap<string, LintRule> = Object.freeze(new LaterTable(() => load().lintRules));
