import { MASK } from "./errors.ts";
import { errorMasks } from "./masks.ts";

/**
 * The template (or bare expression) with the argument list of every method that takes a key
 * replaced by "••••••", for hosts that show or log templates. It works from tokens alone, so
 * it also masks templates that do not parse; an unknown method's arguments are masked unless
 * it is a near miss of a method without a key. Secrets read with hash.getSecret() are never
 * in a template, and their names are not masked where they stand outside a key argument.
 */
export function redact(template: string): string {
  const spans = errorMasks(template);
  let out = "";
  let at = 0;
  for (const span of spans) {
    out += template.slice(at, span.offset) + MASK;
    at = span.offset + span.length;
  }
  return out + template.slice(at);
}
