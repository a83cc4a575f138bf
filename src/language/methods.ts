// The method table: one entry a method, each family in a file of its own. Adding a method is one
// entry in its family's file (and its tests); the checker, "did you mean", completion and the
// reference (docs/methods.md, generated) all read it from here.

import type { Method } from "./method.ts";
import { digestMethods } from "./methods/digests.ts";
import { encodingMethods } from "./methods/encodings.ts";
import { requestMethods } from "./methods/request.ts";
import { secretMethods } from "./methods/secrets.ts";
import { signatureMethods } from "./methods/signatures.ts";
import { stringMethods } from "./methods/strings.ts";
import { textMethods } from "./methods/text.ts";
import { timeMethods } from "./methods/time.ts";
import { valueMethods } from "./methods/values.ts";

/** The language's own methods, in the order of the reference. */
export const builtinMethods: readonly Method[] = [
  ...textMethods,
  ...stringMethods,
  ...digestMethods,
  ...signatureMethods,
  ...encodingMethods,
  ...timeMethods,
  ...secretMethods,
  ...valueMethods,
  ...requestMethods,
];

/**
 * A method table that cannot be changed once made: a Map inside, so a name is only ever looked
 * up among its own methods and never reaches Object.prototype (`hash.constructor()` is just
 * unknown), and no `set` outside, so no caller can add to it or replace a method at run time.
 */
export class MethodTable implements ReadonlyMap<string, Method> {
  constructor(entries: Iterable<Method>) {
    tables.set(this, new Map([...entries].map((m) => [m.name, Object.freeze(m)])));
    Object.freeze(this);
  }

  get size(): number {
    return store(this).size;
  }
  get(name: string): Method | undefined {
    return store(this).get(name);
  }
  has(name: string): boolean {
    return store(this).has(name);
  }
  keys(): MapIterator<string> {
    return store(this).keys();
  }
  values(): MapIterator<Method> {
    return store(this).values();
  }
  entries(): MapIterator<[string, Method]> {
    return store(this).entries();
  }
  [Symbol.iterator](): MapIterator<[string, Method]> {
    return store(this).entries();
  }
  forEach(fn: (method: Method, name: string, table: ReadonlyMap<string, Method>) => void): void {
    for (const [name, method] of store(this)) fn(method, name, this);
  }
}

// The Map is kept outside the object, not in a #private field: a consumer's declarations for an
// older TypeScript target cannot read one.
const tables = new WeakMap<MethodTable, Map<string, Method>>();
const store = (table: MethodTable) => tables.get(table) as Map<string, Method>;

/** The language's own method table. */
export const methods: ReadonlyMap<string, Method> = new MethodTable(builtinMethods);
