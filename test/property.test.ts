import { fc, it } from "@fast-check/vitest";
import { afterAll, describe, expect } from "vitest";
import { expand } from "../src/index.ts";
import {
  anyString,
  expandsAsModelled,
  expandsOrFails,
  grammarTemplate,
  keyedTemplate,
  keyNeverShown,
  limitsOnlyLimit,
  nestingIsBounded,
  now,
  openerFreeText,
  options,
  outcome,
  plainTextSurvives,
  textSurvives,
  tightLimits,
  validBlock,
  validTemplate,
} from "./arbitraries.ts";

// Property runs per test, chosen so that one `npm test` runs over 10,000 cases in all
// (the floor) in a few seconds. `npm run fuzz` runs the same properties for longer.
const runs = {
  anyString: 2000,
  grammar: 2500,
  openerFree: 1000,
  survives: 1000,
  valid: 1500,
  keys: 1500,
  limits: 500,
  nesting: 300,
};

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

afterAll(() => {
  // Method names, secret names and strings such as __proto__ and constructor must never reach
  // an object's prototype.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
});

describe("expand never fails in any other way than HashHelperError", () => {
  it.prop([anyString, options], { numRuns: runs.anyString })(
    "arbitrary strings: a string or a HashHelperError, and compile(t).expand(o) equals expand(t, o)",
    (source, opts) => expandsOrFails(source, opts),
  );

  it.prop([grammarTemplate, options], { numRuns: runs.grammar })(
    "grammar-shaped templates with mutations: the same",
    (source, opts) => expandsOrFails(source, opts),
  );
});

describe("text outside blocks", () => {
  it.prop([openerFreeText, now], { numRuns: runs.openerFree })(
    "text without a block opener is returned as it is",
    plainTextSurvives,
  );

  it.prop([openerFreeText, validBlock, openerFreeText, now], { numRuns: runs.survives })(
    "the text around a valid block survives byte-for-byte",
    textSurvives,
  );
});

describe("valid templates", () => {
  it.prop([validTemplate, now], { numRuns: runs.valid })(
    "expand without error, deterministically for a fixed now, to what a node:crypto model of the methods gives",
    expandsAsModelled,
  );

  it.prop([validTemplate, tightLimits, now], { numRuns: runs.limits })(
    "under tighter limits fail only with LIMIT_EXCEEDED",
    limitsOnlyLimit,
  );

  it.prop([fc.nat({ max: 120 }), fc.option(fc.nat({ max: 80 }), { nil: undefined })], { numRuns: runs.nesting })(
    "nest up to maxNestingDepth, and past it fail with LIMIT_EXCEEDED, never a RangeError",
    nestingIsBounded,
  );

  it("some grammar-shaped templates expand and some fail, so both paths are exercised", () => {
    const results = fc.sample(grammarTemplate, { numRuns: 500, seed: 1 }).map((t) => outcome(() => expand(t)));
    const ok = results.filter((r) => "ok" in r).length;
    expect(ok).toBeGreaterThan(25);
    expect(results.length - ok).toBeGreaterThan(25);
  });
});

describe("keys", () => {
  it.prop([keyedTemplate({ sameLine: true })], { numRuns: runs.keys })(
    "no error (message, stack, format, JSON, inspect) and no redacted template shows a key",
    keyNeverShown,
  );
});

it("runs at least 10,000 property cases in all, the floor the issue sets for CI", () => {
  expect(Object.values(runs).reduce((a, b) => a + b)).toBeGreaterThanOrEqual(10_000);
});
