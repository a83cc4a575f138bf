// Functions a host adds to its own instance (createHashHelper({ methods })): value functions that
// start a chain, as getExpiryTime() does, such as a dashboard's hash.getAccountId(). They become
// entries of the instance's method table like any other, so the checker, "did you mean",
// completion and a generated reference know them.

import type { EvalContext } from "./context.ts";
import { escapeText } from "./errors.ts";
import { HostFunctionError } from "./host-error.ts";
import { type ArgValue, type Method, MethodFailure, type Param } from "./method.ts";

/** A parameter of a host function: text (a string or nested text) or a whole number. */
export interface HostParam {
  name: string;
  accepts: readonly ("text" | "integer")[];
  /** May be left out; only trailing parameters are. */
  optional?: boolean;
  /** Must be written as a string literal (known before anything runs). */
  literal?: boolean;
  /** A name, not data: shown in errors, where every other literal is masked. */
  isName?: boolean;
}

export interface HostFunction {
  /** A name as the language writes one (letters, digits, _ and $, not first a digit). */
  name: string;
  params?: readonly HostParam[];
  /** One line for hints, completion and the reference. */
  summary: string;
  /** A use of it, for the reference: `hash.getAccountId()`. */
  example?: string;
  /**
   * What it gives, as text, from its arguments (strings and whole numbers, in order) and the
   * expansion's clock. It may throw a HostFunctionError, which becomes the template's error.
   */
  run(args: readonly (string | number)[], context: { readonly now: number }): string;
  /** Its value is a secret: traces mask it, as they mask what getSecret() gives. */
  secret?: boolean;
}

export { HostFunctionError } from "./host-error.ts";

const NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The method a host function is, checked: a name the lexer reads as one, not `hash`, no
 * built-in's (a host function never shadows one), parameters of the kinds the language has.
 */
export function hostMethod(fn: HostFunction, builtins: ReadonlyMap<string, Method>): Method {
  const { name } = fn;
  if (typeof name !== "string" || !NAME.test(name) || name === "hash") {
    throw new TypeError(`a host function's name must be a name such as getAccountId, not ${JSON.stringify(name)}`);
  }
  if (builtins.has(name)) throw new TypeError(`${name} is a built-in method: a host function cannot replace it`);
  if (typeof fn.run !== "function") throw new TypeError(`host function ${name} has no run()`);
  if (typeof fn.summary !== "string" || fn.summary === "") throw new TypeError(`host function ${name} needs a summary`);
  const params: Param[] = (fn.params ?? []).map((p, i, all) => {
    if (!p || typeof p.name !== "string" || !Array.isArray(p.accepts) || p.accepts.length === 0) {
      throw new TypeError(`host function ${name}: parameter ${i + 1} needs a name and the kinds it accepts`);
    }
    if (!p.accepts.every((k) => k === "text" || k === "integer")) {
      throw new TypeError(`host function ${name}: parameter ${p.name} accepts only "text" and "integer"`);
    }
    if (!p.optional && all.slice(0, i).some((q) => q.optional)) {
      throw new TypeError(`host function ${name}: only trailing parameters may be optional`);
    }
    return {
      name: p.name,
      accepts: [...p.accepts],
      optional: p.optional === true,
      literal: p.literal === true,
      isName: p.isName === true,
    };
  });
  const run = fn.run;
  return Object.freeze({
    name,
    params,
    input: "start",
    output: "text",
    reveals: true,
    summary: fn.summary,
    example: fn.example ?? `hash.${name}()`,
    run(_input: unknown, args: readonly ArgValue[], context: EvalContext) {
      let value: unknown;
      try {
        value = run(args as readonly (string | number)[], { now: context.nowMs });
      } catch (e) {
        if (!(e instanceof HostFunctionError)) throw e;
        // The host's own words, escaped and cut short like a name: they end up in logs and terminals.
        const message = `${name}(): ${escapeText(String(e.message), 200)}`;
        throw new MethodFailure("HOST_FUNCTION", message, "see what the host's function needs");
      }
      if (typeof value !== "string") throw new TypeError(`host function ${name} gave ${typeof value}, not text`);
      if (fn.secret) context.tainted?.();
      return value;
    },
  });
}
