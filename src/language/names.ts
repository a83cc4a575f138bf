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

/**
 * The names whose values are keys, in the chains of one template or of every part of a signed
 * request: a name read or defined inside a key argument (`encodeHmacSha1(hash.get("k"))`, nested
 * or through fromHex too), and every name that shares a value with one, read or defined inside
 * its definition's value or holding a read of it in its own. A key's definition masks its value
 * wherever it stands, and a read of it is masked even where it is data: the name is a key's.
 * Linear in the chains' size (union-find over the names).
 */
export function keyNames(chains: Iterable<Chain>, methods: ReadonlyMap<string, Method>): ReadonlySet<string> {
  const parent = new Map<string, string>();
  const root = (name: string): string => {
    let at = name;
    for (let up = parent.get(at); up !== undefined && up !== at; up = parent.get(at)) at = up;
    for (let next = name; next !== at; ) {
      const up = parent.get(next) as string;
      parent.set(next, at);
      next = up;
    }
    if (!parent.has(name)) parent.set(name, name);
    return at;
  };
  const seeds: string[] = [];
  const walk = (chain: Chain, inKey: boolean, owner: string | undefined): void => {
    for (const call of chain.calls) {
      const method = methods.get(call.method);
      const first = call.args[0];
      const name = method?.names && first?.type === "String" ? first.value : undefined;
      if (name !== undefined) {
        if (inKey) seeds.push(name);
        const at = root(name);
        if (owner !== undefined) parent.set(at, root(owner));
      }
      call.args.forEach((arg, i) => {
        if (arg.type !== "Chain") return;
        // An argument of a method the table does not know may be anything, a key too.
        const key = inKey || method === undefined || method.params[i]?.secret === true;
        walk(arg, key, method?.names === "define" && i > 0 && name !== undefined ? name : owner);
      });
    }
  };
  for (const chain of chains) walk(chain, false, undefined);
  if (seeds.length === 0) return EMPTY;
  const roots = new Set(seeds.map(root));
  return new Set([...parent.keys()].filter((name) => roots.has(root(name))));
}

const EMPTY: ReadonlySet<string> = new Set();
