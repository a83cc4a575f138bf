// The expansion's one clock, written as epoch seconds, milliseconds or a date.
import { compilePattern, formatDate } from "../dates.ts";
import { type Method, MethodFailure } from "../method.ts";

export const timeMethods: readonly Method[] = [
  {
    name: "getExpiryTime",
    params: [{ name: "secondsFromNow", accepts: ["integer"], bound: "maxExpirySeconds" }],
    input: "start",
    output: "text",
    reveals: false,
    summary: "Epoch seconds of the expansion's clock plus secondsFromNow, as text.",
    example: `hash.getExpiryTime(240)`,
    run: (_input, [seconds], { nowMs }) => String(Math.floor(nowMs / 1000) + (seconds as number)),
  },
  {
    name: "getEpochMillis",
    params: [{ name: "secondsFromNow", accepts: ["integer"], optional: true, bound: "maxExpirySeconds" }],
    input: "start",
    output: "text",
    reveals: false,
    summary: "Epoch milliseconds of the expansion's clock plus secondsFromNow, as text.",
    example: `hash.getEpochMillis()`,
    run: (_input, [seconds], { nowMs }) => String(Math.floor(nowMs) + ((seconds as number | undefined) ?? 0) * 1000),
  },
  {
    name: "getDate",
    params: [
      { name: "pattern", accepts: ["text"], literal: true, isName: true, validate: patternProblem },
      { name: "secondsFromNow", accepts: ["integer"], optional: true, bound: "maxExpirySeconds" },
    ],
    input: "start",
    output: "text",
    reveals: false,
    summary: "The expansion's clock (plus secondsFromNow) in UTC: yyyy MM dd HH mm ss SSS EEE MMM 'literal'.",
    example: `hash.getDate("EEE, dd MMM yyyy HH:mm:ss 'GMT'")`,
    run: (_input, [pattern, seconds], { nowMs }) =>
      formatDate(pattern_(pattern as string), instant(nowMs, seconds as number | undefined)),
  },
];

/**
 * The clock plus secondsFromNow as a Date, when it is one every pattern field can write: a Date
 * holds ±8.64e15 ms (ECMA-262 §21.4.1.22), and yyyy has no sign for a year before 0.
 */
function instant(nowMs: number, seconds: number | undefined): Date {
  const date = new Date(Math.floor(nowMs) + (seconds ?? 0) * 1000);
  const year = date.getUTCFullYear();
  if (Number.isNaN(year) || year < 0) {
    throw new MethodFailure(
      "DATE_OUT_OF_RANGE",
      "the date is outside what a date can be written as (year 0 to 275760)",
      "check the clock the template is expanded with, and secondsFromNow",
    );
  }
  return date;
}

const patterns = new Map<string, ReturnType<typeof compilePattern>>();

/** A compiled date pattern, cached: patterns are literals, so they are few. */
function pattern_(pattern: string) {
  let parts = patterns.get(pattern);
  if (parts === undefined) {
    parts = compilePattern(pattern);
    if (patterns.size < 1000) patterns.set(pattern, parts);
  }
  if (typeof parts === "string") throw new MethodFailure("INVALID_ARGUMENT", parts, "fix the date pattern");
  return parts;
}

function patternProblem(pattern: string): string | undefined {
  const parts = compilePattern(pattern);
  return typeof parts === "string" ? parts : undefined;
}
