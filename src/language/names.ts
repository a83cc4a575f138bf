// Named values (hash.let / hash.get) as the checker sees them: which calls of a chain define or
// read a name, and the kinds of the names defined so far. The engine decides the order blocks
// and parts are compiled and run in, so that every name is defined before it is read.
import type { Call, Chain } from "./ast.ts";
import type { Kind, Method } from "./method.ts";

/** A call that defines or reads a name, the name being its first argument, a string literal. */
export interface NameUse {
  use: "define" | "read";
  name: string;
  call: Call;
}

/**
 * The names of one expansion while it is checked: every name defined anywhere in it, and the
 * kind of each one checked so far. One scope for every block of a template and every part of a
 * signed request.
 */
export interface Scope {
  /** Every name some block or part defines. */
  readonly defined: ReadonlySet<string>;
  /** The kinds of the names whose definitions are checked (undefined: unknowable). */
  readonly kinds: Map<string, Kind | undefined>;
  /**
   * False when some block could not be read (a syntax error, a limit), so a name it may define
   * is not known: a read of a name no other block defines is then no problem of its own.
   */
  complete?: boolean;
}

/** The define and read calls of a chain, nested chains included, in the order they run. */
export function nameUses(chain: Chain, methods: ReadonlyMap<string, Method>): NameUse[] {
  const found: NameUse[] = [];
  const walk = (c: Chain): void => {
    for (const call of c.calls) {
      // A call's arguments run before it does.
      for (const arg of call.args) if (arg.type === "Chain") walk(arg);
      const use = methods.get(call.method)?.names;
      const first = call.args[0];
      if (use && first?.type === "String") found.push({ use, name: first.value, call });
    }
  };
  walk(chain);
  return found;
}
