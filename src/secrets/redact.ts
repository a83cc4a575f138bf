import { HashHelperError } from "../language/errors.ts";
import { type Limits, limitProblem, resolveLimits } from "../language/limits.ts";
import type { Method } from "../language/method.ts";
import { methods } from "../language/methods.ts";
import { applyMasks, errorMasks, type Masking, maskSpans } from "./masks.ts";

export interface RedactOptions {
  /**
   * "keys" (the default): mask what may be a key. "all": mask the text of every literal, data
   * appended with append("…") included, as error excerpts do; names (`getSecret("moz")`) stay.
   */
  literals?: Masking | undefined;
  /** maxTemplateLength bounds the template; the other limits do not apply. */
  limits?: Partial<Limits> | undefined;
}

/**
 * The template (or bare expression) with what may be a key shown as bullets, one for each
 * UTF-16 code unit hidden, and every other character as it was, for hosts that show or log
 * templates. It works from tokens alone (src/secrets/masks.ts), so it masks templates that do not parse
 * too: every literal that is not known to be data (a whole argument in a parameter that takes no
 * key, in a block that follows the grammar up to it), every word that names no method, and the
 * arguments of calls a typo has pushed out of their block. A masked literal keeps its quotes, and the checker refuses it as a
 * key (MASKED_LITERAL): a redacted template never signs with the mask.
 */
export function redact(template: string, options: RedactOptions = {}): string {
  return redactWith(methods, template, options);
}

/** redact() by a method table of an instance's own, whose names and keys it knows. */
export function redactWith(table: ReadonlyMap<string, Method>, template: string, options: RedactOptions = {}): string {
  const limits = resolveLimits(options.limits);
  const literals = options.literals ?? "keys";
  if (literals !== "keys" && literals !== "all") throw new TypeError(`literals must be "keys" or "all"`);
  if (template.length > limits.maxTemplateLength) throw tooLong(table, template, limits);
  return applyMasks(template, maskSpans(template, literals, { methods: table }));
}

/** The error of a template over maxTemplateLength, masked from its head only, so refusing it is cheap. */
function tooLong(table: ReadonlyMap<string, Method>, template: string, limits: Readonly<Limits>): HashHelperError {
  const at = { offset: limits.maxTemplateLength, length: 1 };
  const problem = limitProblem(
    "maxTemplateLength",
    limits,
    `the template is ${template.length} characters long`,
    at,
    "shorten the template",
  );
  const head = template.slice(0, limits.maxTemplateLength + 1024);
  return HashHelperError.from(template, [problem], errorMasks(head, { methods: table }));
}
