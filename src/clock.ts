import type { EvalContext } from "./methods.ts";

export interface ClockOptions {
  /** The instant every time function of one expansion reads: a Date or epoch milliseconds. Default: now. */
  now?: Date | number | undefined;
}

/** Reads the clock once: every block of one expansion then sees the same instant. */
export function evalContext(options: ClockOptions | undefined): EvalContext {
  const now = options?.now;
  const nowMs = now === undefined ? Date.now() : now instanceof Date ? now.getTime() : now;
  if (typeof nowMs !== "number" || !Number.isFinite(nowMs)) {
    throw new TypeError("options.now must be a valid Date or a finite number of epoch milliseconds");
  }
  return { nowMs };
}
