import type { EvalContext } from "../language/context.ts";
import type { Limits } from "../language/limits.ts";

/**
 * Where hash.getSecret("name") finds values: a Map, a plain object (own properties only, so
 * "constructor" is never a secret), or a function that returns undefined for an unknown name.
 */
export type Secrets =
  | ReadonlyMap<string, string>
  | Readonly<Record<string, string>>
  | ((name: string) => string | undefined);

/** What may change from one expansion of a compiled template to the next. */
export interface EvaluationOptions {
  /** The instant every time function of one expansion reads: a Date or epoch milliseconds. Default: now. */
  now?: Date | number | undefined;
  /** The values hash.getSecret() reads. */
  secrets?: Secrets | undefined;
  /**
   * Fills an array with random bytes: where hash.getNonce() and hash.getUuid() draw from, once
   * per expansion. Default: crypto.getRandomValues. Tests and the CLI's --nonce fix it.
   */
  random?: ((bytes: Uint8Array) => void) | undefined;
}

/** What is fixed when a template is compiled. */
export interface CompileOptions {
  /** Overrides of the default limits (see `defaultLimits`). */
  limits?: Partial<Limits> | undefined;
  /**
   * Show string literals in the excerpts of errors. By default every literal's text is masked
   * (`"••••"`, as wide as the text it hides), names such as getSecret("name") excepted: keys
   * live in literals, and errors end up in logs. For someone debugging their own template.
   */
  revealSecrets?: boolean | undefined;
}

export type ExpandOptions = EvaluationOptions & CompileOptions;

/**
 * Reads the clock once: every block of one expansion then sees the same instant. Named values
 * and random draws are the expansion's too.
 */
export function evalContext(options: EvaluationOptions | undefined): EvalContext {
  const now = options?.now;
  const nowMs = now === undefined ? Date.now() : now instanceof Date ? now.getTime() : now;
  // ECMA-262 §21.4.1.22: a Date holds at most 8.64e15 ms either side of the epoch.
  if (typeof nowMs !== "number" || !Number.isFinite(nowMs) || Math.abs(nowMs) > 8.64e15) {
    throw new TypeError("options.now must be a valid Date or epoch milliseconds within ±8.64e15");
  }
  const random = options?.random ?? defaultRandom;
  if (typeof random !== "function") throw new TypeError("options.random must be a function filling a Uint8Array");
  return {
    nowMs,
    secret: secretLookup(options?.secrets),
    built: { size: 0 },
    random,
  };
}

/** The platform's cryptographic random source (never Math.random). */
const defaultRandom = (bytes: Uint8Array) => {
  globalThis.crypto.getRandomValues(bytes);
};

const noSecrets = () => undefined;

const checked = (value: unknown): string | undefined => {
  if (value !== undefined && typeof value !== "string") throw new TypeError("a secret's value must be a string");
  return value;
};

function secretLookup(secrets: Secrets | undefined): (name: string) => string | undefined {
  if (secrets === undefined) return noSecrets;
  if (typeof secrets === "function") return (name) => checked(secrets(name));
  if (secrets instanceof Map) return (name) => checked(secrets.get(name));
  const record = secrets as Readonly<Record<string, string>>;
  return (name) => checked(Object.hasOwn(record, name) ? record[name] : undefined);
}
