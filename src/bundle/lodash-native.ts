// chevrotain 11 imports these 37 functions from lodash-es, and lodash's general machinery
// behind them (iteratee shorthands, deep equality, typed-array keys) came to 30 KiB of our
// 190 KiB bundle. The bundles and the tests resolve "lodash-es" to this module instead
// (scripts/build.mjs, vitest.config.ts), so what is tested is what ships. Each function keeps
// lodash's semantics for the arguments chevrotain passes (arrays, plain objects, null), which
// test/bundle/lodash-native.test.ts checks against lodash itself. Shorthand iteratees
// ("name", { key: value }) are not supported: chevrotain passes none, and one would throw
// here rather than silently mean something else.

type Item = unknown;
type Iteratee = ((value: Item, key: string | number, collection: unknown) => unknown) | undefined;
type Bag = Record<PropertyKey, unknown>;

function isArrayLike(value: unknown): value is ArrayLike<Item> {
  if (value == null || typeof value === "function") return false;
  const length = (value as { length?: unknown }).length;
  return typeof length === "number" && Number.isSafeInteger(length) && length >= 0;
}

function callable(iteratee: Iteratee): (value: Item, key: string | number, collection: unknown) => unknown {
  if (iteratee === undefined) return identity;
  if (typeof iteratee !== "function") throw new TypeError("lodash-native: only function iteratees are supported");
  return iteratee;
}

// Visits a collection the way lodash's baseEach does: array-likes by index, any other object
// by its own enumerable string keys. Stops when `visit` returns true.
// Like lodash, it hands the callback a string boxed, as the collection.
function visit(
  collection: unknown,
  step: (value: Item, key: string | number, iterable: unknown) => boolean | undefined,
): void {
  if (collection == null) return;
  if (isArrayLike(collection)) {
    const list = typeof collection === "string" ? (Object(collection) as ArrayLike<Item>) : collection;
    for (let index = 0; index < list.length; index++) if (step(list[index], index, list)) return;
    return;
  }
  if (typeof collection !== "object" && typeof collection !== "function") return;
  for (const key of Object.keys(collection)) if (step((collection as Bag)[key], key, collection)) return;
}

export function values(object: unknown): Item[] {
  if (object == null) return [];
  const source = Object(object) as Bag;
  return keys(object).map((key) => source[key]);
}

export function identity<T>(value: T): T {
  return value;
}

export function noop(): void {}

export function forEach<C>(collection: C, iteratee?: Iteratee): C {
  const fn = callable(iteratee);
  visit(collection, (value, key, iterable) => fn(value, key, iterable) === false);
  return collection;
}

export function map(collection: unknown, iteratee?: Iteratee): unknown[] {
  const fn = callable(iteratee);
  const result: unknown[] = [];
  visit(collection, (value, key, iterable) => {
    result.push(fn(value, key, iterable));
    return false;
  });
  return result;
}

export function flatMap(collection: unknown, iteratee?: Iteratee): unknown[] {
  return flatten(map(collection, iteratee));
}

export function filter(collection: unknown, predicate?: Iteratee): Item[] {
  const fn = callable(predicate);
  const result: Item[] = [];
  visit(collection, (value, key, iterable) => {
    if (fn(value, key, iterable)) result.push(value);
    return false;
  });
  return result;
}

export function reject(collection: unknown, predicate?: Iteratee): Item[] {
  const fn = callable(predicate);
  return filter(collection, (value, key, all) => !fn(value, key, all));
}

// lodash's find hands the callback a string unboxed, unlike its other iterators.
export function find(collection: unknown, predicate?: Iteratee): Item {
  const fn = callable(predicate);
  let found: Item;
  visit(collection, (value, key, iterable) => {
    if (!fn(value, key, typeof collection === "string" ? collection : iterable)) return false;
    found = value;
    return true;
  });
  return found;
}

export function some(collection: unknown, predicate?: Iteratee): boolean {
  const fn = callable(predicate);
  let hit = false;
  visit(collection, (value, key, iterable) => {
    hit = Boolean(fn(value, key, iterable));
    return hit;
  });
  return hit;
}

export function every(collection: unknown, predicate?: Iteratee): boolean {
  const fn = callable(predicate);
  let all = true;
  visit(collection, (value, key, iterable) => {
    all = Boolean(fn(value, key, iterable));
    return !all;
  });
  return all;
}

export function reduce(
  collection: unknown,
  iteratee: (accumulator: unknown, value: Item, key: string | number, collection: unknown) => unknown,
  ...initial: unknown[]
): unknown {
  let accumulator = initial[0];
  let seeded = initial.length > 0;
  visit(collection, (value, key, iterable) => {
    accumulator = seeded ? iteratee(accumulator, value, key, iterable) : value;
    seeded = true;
    return false;
  });
  return accumulator;
}

// lodash calls a groupBy iteratee with the value alone, and a pickBy one without the object.
export function groupBy(collection: unknown, iteratee?: (value: Item) => unknown): Record<string, Item[]> {
  const fn = iteratee ?? identity;
  const groups: Record<string, Item[]> = {};
  visit(collection, (value) => {
    const group = String(fn(value));
    const members = Object.hasOwn(groups, group) ? groups[group] : undefined;
    if (members) members.push(value);
    else Object.defineProperty(groups, group, { value: [value], enumerable: true, writable: true, configurable: true });
    return false;
  });
  return groups;
}

// lodash's pickBy walks inherited enumerable keys, and own enumerable symbols, too.
export function pickBy(object: unknown, predicate?: (value: Item, key: PropertyKey) => unknown): Bag {
  const result: Bag = {};
  if (object == null) return result;
  const fn = predicate ?? identity;
  const source = Object(object) as Bag;
  const keys: PropertyKey[] = [];
  for (const key in source) keys.push(key);
  for (const symbol of Object.getOwnPropertySymbols(source)) {
    if (Object.prototype.propertyIsEnumerable.call(source, symbol)) keys.push(symbol);
  }
  for (const key of keys) {
    if (fn(source[key], key)) result[key] = source[key];
  }
  return result;
}

// lodash's keys: an array (or string, arguments, typed array) by index, holes included, then
// its other own keys; any other object by its own enumerable keys, `length` among them.
export function keys(object: unknown): string[] {
  if (object == null) return [];
  const source = Object(object) as object;
  if (!isIndexed(source)) return Object.keys(source);
  const length = (source as ArrayLike<unknown>).length;
  const indexes = Array.from({ length }, (_, index) => String(index));
  const others = Object.keys(source).filter((key) => !(key === "length" || isIndex(key, length)));
  return indexes.concat(others);
}

function isIndexed(value: object): boolean {
  return (
    Array.isArray(value) ||
    value instanceof String ||
    ArrayBuffer.isView(value) ||
    Object.prototype.toString.call(value) === "[object Arguments]"
  );
}

function isIndex(key: string, length: number): boolean {
  return /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < length;
}

export function has(object: unknown, key: string | number): boolean {
  if (typeof key === "string" && /[.[\]]/.test(key)) {
    throw new TypeError("lodash-native: property paths are not supported by has()");
  }
  if (object == null) return false;
  // lodash's toKey: -0 is the key "-0", not "0".
  const property = Object.is(key, -0) ? "-0" : key;
  if (Object.hasOwn(object, property)) return true;
  // As lodash: an index within an array's length counts, even where the array has a hole.
  const length = (object as { length?: unknown }).length;
  return (
    (Array.isArray(object) || Object.prototype.toString.call(object) === "[object Arguments]") &&
    typeof length === "number" &&
    isIndex(String(property), length)
  );
}

export function isEmpty(value: unknown): boolean {
  if (value == null) return true;
  if (Array.isArray(value) || typeof value === "string") return value.length === 0;
  if (value instanceof Map || value instanceof Set) return value.size === 0;
  if (typeof value !== "object" && typeof value !== "function") return true;
  for (const key in value) if (Object.hasOwn(value, key)) return false;
  return true;
}

// Arrays and plain objects (of any prototype) only: chevrotain clones nothing else, and
// lodash's rules for other kinds (typed arrays, Maps, functions) are not worth carrying.
export function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.slice() as T;
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return value;
  if (typeof value === "function" || Object.prototype.toString.call(value) !== "[object Object]") {
    throw new TypeError("lodash-native: clone() supports arrays and objects only");
  }
  // As lodash: an object without a constructor (a null prototype) becomes a plain one.
  const copy = (typeof value.constructor === "function" ? Object.create(Object.getPrototypeOf(value)) : {}) as Bag;
  for (const key of Object.keys(value)) copy[key] = (value as Bag)[key];
  for (const symbol of Object.getOwnPropertySymbols(value)) {
    if (Object.prototype.propertyIsEnumerable.call(value, symbol)) copy[symbol] = (value as Bag)[symbol];
  }
  return copy as T;
}

export function assign<T>(target: T, ...sources: unknown[]): T {
  const object = Object(target) as Bag;
  for (const source of sources) {
    if (source == null) continue;
    for (const key of keys(source)) object[key] = (source as Bag)[key];
  }
  return object as T;
}

export function defaults<T>(target: T, ...sources: unknown[]): T {
  const object = Object(target) as Bag;
  for (const source of sources) {
    if (source == null) continue;
    for (const key in source as Bag) {
      const current = object[key];
      const inherited = Object.is(current, (Object.prototype as Bag)[key]) && !Object.hasOwn(object, key);
      if (current === undefined || inherited) object[key] = (source as Bag)[key];
    }
  }
  return object as T;
}

function isFlattenable(value: unknown): value is ArrayLike<unknown> {
  return (
    Array.isArray(value) ||
    Object.prototype.toString.call(value) === "[object Arguments]" ||
    Boolean(value && (value as { [Symbol.isConcatSpreadable]?: unknown })[Symbol.isConcatSpreadable])
  );
}

export function flatten(array: unknown): unknown[] {
  const result: unknown[] = [];
  if (!isArrayLike(array)) return result;
  for (let index = 0; index < array.length; index++) {
    const value = array[index];
    if (isFlattenable(value)) for (let inner = 0; inner < value.length; inner++) result.push(value[inner]);
    else result.push(value);
  }
  return result;
}

// A dense copy, holes read as undefined, and strings as arrays of UTF-16 code units, as lodash
// reads them.
function arrayOf(array: unknown): unknown[] {
  const list: unknown[] = [];
  if (isArrayLike(array)) for (let index = 0; index < array.length; index++) list.push(array[index]);
  return list;
}

export function uniq(array: unknown): unknown[] {
  return [...new Set(arrayOf(array))];
}

export function compact(array: unknown): unknown[] {
  return arrayOf(array).filter(Boolean);
}

// As lodash: only array-like objects count, on either side; a string is not one.
export function difference(array: unknown, ...others: unknown[]): unknown[] {
  if (!isArrayLike(array) || typeof array === "string") return [];
  const excluded = new Set<unknown>();
  for (const other of others) {
    if (isArrayLike(other) && typeof other !== "string") for (const value of Array.from(other)) excluded.add(value);
  }
  // lodash gives -0 back as 0, as a Set keeps it.
  return Array.from(array)
    .filter((value) => !excluded.has(value))
    .map((value) => (value === 0 ? 0 : value));
}

export function includes(collection: unknown, value: unknown, fromIndex?: number): boolean {
  if (fromIndex !== undefined) throw new TypeError("lodash-native: includes() takes no fromIndex");
  // String.prototype.indexOf, as lodash: the needle is made a string, where includes() would
  // throw for a RegExp.
  if (typeof collection === "string") return collection.indexOf(value as string) > -1;
  return (isArrayLike(collection) ? Array.from(collection) : values(collection)).includes(value);
}

export function indexOf(array: unknown, value: unknown, fromIndex?: number): number {
  if (fromIndex !== undefined) throw new TypeError("lodash-native: indexOf() takes no fromIndex");
  const list = arrayOf(array);
  // Strict equality, except that NaN finds NaN.
  return Number.isNaN(value) ? list.findIndex((item) => Number.isNaN(item)) : list.indexOf(value);
}

export function first(array: unknown): unknown {
  return isArrayLike(array) && array.length > 0 ? array[0] : undefined;
}

export function last(array: unknown): unknown {
  return isArrayLike(array) && array.length > 0 ? array[array.length - 1] : undefined;
}

function count(n: number | undefined): number {
  if (n === undefined) return 1;
  const whole = Math.trunc(Number(n)) || 0;
  return whole < 0 ? 0 : whole;
}

export function drop(array: unknown, n?: number): unknown[] {
  return arrayOf(array).slice(count(n));
}

export function dropRight(array: unknown, n?: number): unknown[] {
  const list = arrayOf(array);
  return list.slice(0, Math.max(0, list.length - count(n)));
}

// By code point: lodash also takes a combining mark after the first letter along, which the
// rule names chevrotain upper-cases never have.
export function upperFirst(text: unknown): string {
  const string = text == null ? "" : String(text);
  if (string === "") return string;
  const head = String.fromCodePoint(string.codePointAt(0) as number);
  return head.toUpperCase() + string.slice(head.length);
}

export const isArray = Array.isArray;

export function isString(value: unknown): value is string {
  return typeof value === "string" || value instanceof String;
}

export function isFunction(value: unknown): value is (...args: unknown[]) => unknown {
  return typeof value === "function";
}

export function isRegExp(value: unknown): value is RegExp {
  return value instanceof RegExp;
}

export function isUndefined(value: unknown): value is undefined {
  return value === undefined;
}

export function isObject(value: unknown): value is object {
  return value !== null && (typeof value === "object" || typeof value === "function");
}
