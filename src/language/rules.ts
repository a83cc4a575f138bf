// What a template is checked and run against: the method table and the limits. The default
// instance has the built-in methods and the default limits; a host's instance (createHashHelper)
// has its own functions besides, and its own limits.
import { defaultLimits, type Limits, resolveLimits } from "./limits.ts";
import type { Method } from "./method.ts";
import { methods } from "./methods.ts";

export interface Rules {
  /** Every method a chain may call, by name: the built-in ones and the host's. */
  readonly methods: ReadonlyMap<string, Method>;
  readonly limits: Readonly<Limits>;
}

export const defaultRules: Rules = Object.freeze({ methods, limits: defaultLimits });

/** The rules with some limits of a call's own, or the rules themselves when it has none. */
export function withLimits(rules: Rules, overrides: Partial<Limits> | undefined): Rules {
  return overrides ? { methods: rules.methods, limits: resolveLimits(overrides, rules.limits) } : rules;
}
