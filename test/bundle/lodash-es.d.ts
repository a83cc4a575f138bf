// The full lodash-es module, imported by path so that the alias of "lodash-es" to our shim
// (vitest.config.ts) does not apply: lodash itself is the shim's oracle.
declare module "lodash-es/lodash.js" {
  type Fn = (...args: unknown[]) => unknown;
  const functions: Record<string, Fn>;
  export = functions;
}
