// Moved to src/language/: the method table is split by family there. Re-exported until the
// modules that still import this file move too.
export type { EvalContext, RequestView } from "./language/context.ts";
export type { ArgKind, ArgValue, Kind, Method, Param, Value } from "./language/method.ts";
export { MethodFailure, signature } from "./language/method.ts";
export { methods } from "./language/methods.ts";

/** The environment variable the CLI reads a secret from: HASH_HELPER_SECRET_API_KEY for api-key. */
export function secretEnvName(name: string): string {
  return `HASH_HELPER_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}
