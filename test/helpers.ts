import { HashHelperError } from "../src/index.ts";

/** The HashHelperError `fn` throws; any other outcome fails the test. */
export function errorOf(fn: () => unknown): HashHelperError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HashHelperError) return e;
    throw e;
  }
  throw new Error("expected a HashHelperError");
}
