import type { Problem } from "./errors.ts";

/**
 * Hard bounds on what one template may make the interpreter do. Templates are typed by users
 * of the host application, so none of them may cost unbounded time or memory. Exceeding one is
 * a HashHelperError with code LIMIT_EXCEEDED that names the limit and its value.
 */
export interface Limits {
  /** Characters (UTF-16 code units) in one template or expression. */
  maxTemplateLength: number;
  /** Blocks in one template. */
  maxBlocks: number;
  /** Calls in one chain, nested chains counted on their own. */
  maxCallsPerChain: number;
  /** How deep hash expressions may nest inside arguments. Checked before the parser recurses. */
  maxNestingDepth: number;
  /** Size of any value during evaluation: bytes for bytes, characters for text. */
  maxValueSize: number;
  /**
   * The sizes of every value one expansion builds, added up: intermediate values, nested ones and
   * every block's output (a signed request's parts share one expansion). Each value is bounded by
   * maxValueSize; this bounds what a template of many blocks builds in all, and with it the heap.
   */
  maxExpansionSize: number;
  /** The largest |n| of getExpiryTime(n), in seconds. */
  maxExpirySeconds: number;
}

export const defaultLimits: Readonly<Limits> = Object.freeze({
  maxTemplateLength: 64 * 1024,
  maxBlocks: 1000,
  maxCallsPerChain: 256,
  maxNestingDepth: 32,
  maxValueSize: 1024 * 1024,
  // docs/security.md gives the heap the worst template within these limits peaks at.
  maxExpansionSize: 16 * 1024 * 1024,
  // Ten years of 365.25 days.
  maxExpirySeconds: 315_576_000,
});

/** `base` (the defaults) with the caller's overrides, each checked to be a whole number ≥ 0. */
export function resolveLimits(
  overrides: Partial<Limits> | undefined,
  base: Readonly<Limits> = defaultLimits,
): Readonly<Limits> {
  if (!overrides) return base;
  const limits = { ...base };
  for (const name of Object.keys(defaultLimits) as (keyof Limits)[]) {
    if (!Object.hasOwn(overrides, name)) continue;
    const value = overrides[name];
    if (value === undefined) continue;
    if (
      typeof value !== "number" ||
      !(Number.isSafeInteger(value) || value === Number.POSITIVE_INFINITY) ||
      value < 0
    ) {
      throw new TypeError(`limits.${name} must be a whole number ≥ 0 or Infinity`);
    }
    limits[name] = value;
  }
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(defaultLimits, name)) throw new TypeError(`unknown limit '${name}'`);
  }
  return limits;
}

/** The problem of exceeding a limit, which always names it and its value. */
export function limitProblem(
  name: keyof Limits,
  limits: Readonly<Limits>,
  what: string,
  at: { offset: number; length: number },
  hint: string,
): Problem {
  return {
    code: "LIMIT_EXCEEDED",
    message: `${what} (limit ${name} is ${limits[name]})`,
    offset: at.offset,
    length: at.length,
    hint,
  };
}
