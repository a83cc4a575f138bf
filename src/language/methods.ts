// The method table: one entry a method, each family in a file of its own. Adding a method is one
// entry in its family's file (and its tests); the checker, "did you mean", completion and the
// reference (docs/methods.md, generated) all read it from here.

import type { Method } from "./method.ts";
import { digestMethods } from "./methods/digests.ts";
import { encodingMethods } from "./methods/encodings.ts";
import { requestMethods } from "./methods/request.ts";
import { secretMethods } from "./methods/secrets.ts";
import { textMethods } from "./methods/text.ts";
import { timeMethods } from "./methods/time.ts";

/** The language's own methods, in the order of the reference. */
export const builtinMethods: readonly Method[] = [
  ...textMethods,
  ...digestMethods,
  ...encodingMethods,
  ...timeMethods,
  ...secretMethods,
  ...requestMethods,
];

/**
 * The method table. A Map, so a name is only ever looked up among the language's own
 * methods and never reaches Object.prototype (`hash.constructor()` is just unknown).
 */
export const methods: ReadonlyMap<string, Method> = new Map(builtinMethods.map((m) => [m.name, m]));
