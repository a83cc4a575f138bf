// The error a host function throws to refuse, in a module of its own: the package's entry on
// Node (src/node.ts) exports it before it loads the rest, host functions included.
import { shareInstanceof } from "./errors.ts";

/** A host function's refusal, which the template's error reports at the call. Its message is shown. */
export class HostFunctionError extends Error {
  override readonly name = "HostFunctionError";
}
shareInstanceof(HostFunctionError, "HostFunctionError");
