// Functions on text: case, spaces, parts of it, and the canonical forms signing schemes need.
import type { Method } from "../method.ts";

export const stringMethods: readonly Method[] = [];
