// The reference model of src/language/methods/signatures.ts, from docs/methods.md.
import type { ExampleContext, ExampleResult, ModelMethod } from "./core.ts";

export const signatureModels: Readonly<Record<string, ModelMethod>> = {};

export function signatureExamples(_c: ExampleContext): Record<string, ExampleResult> {
  return {};
}
