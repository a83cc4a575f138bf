// The reference model of src/language/methods/strings.ts, from docs/methods.md.
import type { ExampleContext, ExampleResult, ModelMethod } from "./core.ts";

export const stringModels: Readonly<Record<string, ModelMethod>> = {};

export function stringExamples(_c: ExampleContext): Record<string, ExampleResult> {
  return {};
}
