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
 * Its functions are its own, closing over the Map: a #private field could not be read by a
 * consumer's declarations for an older TypeScript target, and a WeakMap from table to Map, as
 * before, cost a lookup of its own on every method name the checker reads (2 µs of a compile).
 */
export class MethodTable implements ReadonlyMap<string, Method> {
  readonly get: (name: string) => Method | undefined;
  readonly has: (name: string) => boolean;
  readonly keys: () => MapIterator<string>;
  readonly values: () => MapIterator<Method>;
  readonly entries: () => MapIterator<[string, Method]>;
  readonly forEach: (fn: (method: Method, name: string, table: ReadonlyMap<string, Method>) => void) => void;
  readonly size: number;

  constructor(entries: Iterable<Method>) {
    const map = new Map([...entries].map((m) => [m.name, Object.freeze(m)]));
    this.get = (name) => map.get(name);
    this.has = (name) => map.has(name);
    this.keys = () => map.keys();
    this.values = () => map.values();
    this.entries = () => map.entries();
    this.forEach = (fn) => {
      for (const [name, method] of map) fn(method, name, this);
    };
    this.size = map.size;
    Object.freeze(this);
  }

  [Symbol.iterator](): MapIterator<[string, Method]> {
    return this.entries();
  }
}

/** The language's own method table. */
export const methods: ReadonlyMap<string, Method> = new MethodTable(builtinMethods);
