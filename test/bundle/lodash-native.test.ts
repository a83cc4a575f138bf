// The oracle is lodash itself: every function of the shim must give what lodash-es gives for
// the same arguments, over arrays, plain objects, strings, null and undefined, including the
// calls it makes to the iteratee (forEach stops when one returns false).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fc, test } from "@fast-check/vitest";
import * as lodash from "lodash-es/lodash.js";
import { describe, expect } from "vitest";
import * as native from "../../src/bundle/lodash-native.js";

const modules = fileURLToPath(new URL("../../node_modules", import.meta.url));

const value = fc.anything({ maxDepth: 2, withNullPrototype: false, withBoxedValues: false });
const array = fc.array(fc.oneof(value, fc.array(value, { maxLength: 3 })), { maxLength: 8 });
const object = fc.dictionary(fc.string({ maxLength: 4 }), value, { maxKeys: 6 });
// Shapes chevrotain never passes but lodash has rules for: an array with other keys too, and an
// object with a length.
const arrayWithKeys = fc
  .tuple(array, fc.dictionary(fc.constantFrom("foo", "-1", "01", "9"), value, { maxKeys: 3 }))
  .map(([items, extra]) => Object.assign(items.slice(), extra));
const objectWithLength = fc
  .tuple(object, fc.integer({ min: 0, max: 3 }))
  .map(([properties, length]) => ({ ...properties, length }));
const collection = fc.oneof(
  array,
  object,
  fc.string({ maxLength: 6 }),
  fc.constant(null),
  fc.constant(undefined),
  arrayWithKeys,
  objectWithLength,
);
const answer = fc.oneof(fc.boolean(), fc.constantFrom(0, 1, "", "a", null, undefined), fc.integer({ min: -2, max: 2 }));

// Records what a callback was called with, so both libraries' iteration orders are compared.
function recorded(fn: (...args: unknown[]) => unknown) {
  const calls: unknown[][] = [];
  const callback = (...args: unknown[]) => {
    calls.push(args.slice(0, 2));
    return fn(...args);
  };
  return { calls, callback };
}

type Library = Record<string, ((...args: unknown[]) => unknown) | undefined>;
const lodashFns = lodash as Library;
const nativeFns = native as unknown as Library;

function call(library: Library, name: string, ...args: unknown[]): unknown {
  const fn = library[name];
  if (fn === undefined) throw new Error(`no ${name}`);
  return fn(...args);
}

// What a call gave, or the kind of error it threw: lodash throws too, for a group key
// without a toString, and the shim must do the same.
function outcome(library: Library, name: string, args: unknown[]): unknown {
  try {
    return call(library, name, ...args);
  } catch (err) {
    return { threw: (err as Error).constructor.name };
  }
}

function both(name: string, ...args: unknown[]): [unknown, unknown] {
  return [outcome(nativeFns, name, args), outcome(lodashFns, name, args)];
}

describe("lodash-native against lodash-es", () => {
  test("exports exactly the functions chevrotain imports from lodash-es", () => {
    const imported = new Set<string>();
    for (const dir of ["chevrotain/lib/src", "@chevrotain/gast/lib/src", "@chevrotain/cst-dts-gen/lib/src"]) {
      for (const file of readdirSync(join(modules, dir), { recursive: true, encoding: "utf8" })) {
        if (!file.endsWith(".js")) continue;
        const text = readFileSync(join(modules, dir, file), "utf8");
        for (const [, names] of text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"lodash-es"/g)) {
          for (const name of (names ?? "").split(",")) {
            const imported_ = name.trim().split(/\s+as\s+/)[0];
            if (imported_) imported.add(imported_);
          }
        }
      }
    }
    expect([...imported].sort()).toStrictEqual(Object.keys(native).sort());
    for (const name of imported) expect(typeof lodashFns[name], name).toBe("function");
  });

  for (const name of ["forEach", "map", "filter", "reject", "find", "some", "every", "flatMap", "groupBy"]) {
    test.prop([collection, fc.func(answer)])(`${name} with a callback`, (input, fn) => {
      const ours = recorded(fn);
      const theirs = recorded(fn);
      const result = call(nativeFns, name, input, ours.callback);
      const expected = call(lodashFns, name, input, theirs.callback);
      if (name === "forEach") expect(result).toBe(expected);
      else expect(result).toStrictEqual(expected);
      expect(ours.calls).toStrictEqual(theirs.calls);
    });
  }

  test.prop([collection])("map, filter and find without a callback use identity", (input) => {
    for (const name of ["map", "filter", "reject", "find", "some", "every", "flatMap", "groupBy"]) {
      const [ours, theirs] = both(name, input);
      expect(ours, name).toStrictEqual(theirs);
    }
  });

  test.prop([collection, fc.func(value), fc.option(value, { nil: undefined }), fc.boolean()])(
    "reduce, with and without a seed",
    (input, fn, seed, seeded) => {
      const ours = recorded(fn);
      const theirs = recorded(fn);
      const args = seeded ? [seed] : [];
      expect(native.reduce(input, ours.callback, ...args)).toStrictEqual(
        call(lodashFns, "reduce", input, theirs.callback, ...args),
      );
      expect(ours.calls).toStrictEqual(theirs.calls);
    },
  );

  test.prop([fc.oneof(collection, value)])("one-argument functions", (input) => {
    for (const name of [
      "values",
      "keys",
      "isEmpty",
      "flatten",
      "uniq",
      "compact",
      "first",
      "last",
      "drop",
      "dropRight",
    ]) {
      const [ours, theirs] = both(name, input);
      expect(ours, name).toStrictEqual(theirs);
    }
    for (const name of ["isArray", "isString", "isFunction", "isRegExp", "isUndefined", "isObject", "identity"]) {
      const [ours, theirs] = both(name, input);
      expect(ours, name).toBe(theirs);
    }
  });

  test.prop([fc.oneof(array, fc.string({ maxLength: 4 }), fc.constant(null)), fc.integer({ min: -3, max: 10 })])(
    "drop and dropRight with a count",
    (input, n) => {
      for (const name of ["drop", "dropRight"]) {
        const [ours, theirs] = both(name, input, n);
        expect(ours, name).toStrictEqual(theirs);
      }
    },
  );

  test.prop([collection, value, fc.oneof(fc.string({ maxLength: 3 }), fc.integer({ min: 0, max: 9 }))])(
    "includes, indexOf and has",
    (input, needle, key) => {
      const member = Array.isArray(input) && input.length > 0 ? input[0] : needle;
      for (const probe of [needle, member, Number.NaN, -0]) {
        for (const name of ["includes", "indexOf"]) {
          const [ours, theirs] = both(name, input, probe);
          expect(ours, name).toStrictEqual(theirs);
        }
      }
      const plainKey = typeof key === "string" ? key.replace(/[.[\]]/g, "") : key;
      const [ours, theirs] = both("has", input, plainKey);
      expect(ours).toBe(theirs);
    },
  );

  test.prop([array, fc.array(array, { maxLength: 3 })])("difference", (input, others) => {
    expect(native.difference(input, ...others)).toStrictEqual(call(lodashFns, "difference", input, ...others));
  });

  test.prop([fc.oneof(array, object)])("clone is shallow and keeps the prototype", (input) => {
    const ours = native.clone(input);
    const theirs = call(lodashFns, "clone", input);
    expect(ours).toStrictEqual(theirs);
    expect(ours).not.toBe(input);
    expect(Object.getPrototypeOf(ours)).toBe(Object.getPrototypeOf(theirs));
  });

  test("clone of a class instance keeps its class", () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const ours = native.clone(new Point(1, 2));
    expect(ours).toBeInstanceOf(Point);
    expect(ours).toStrictEqual(call(lodashFns, "clone", new Point(1, 2)));
  });

  test.prop([fc.array(fc.option(object, { nil: undefined }), { maxLength: 4 })])("assign and defaults", (sources) => {
    const proto = { inherited: 1 };
    for (const name of ["assign", "defaults"]) {
      const ours = call(nativeFns, name, { a: undefined, b: 2 }, ...sources, Object.create(proto));
      const theirs = call(lodashFns, name, { a: undefined, b: 2 }, ...sources, Object.create(proto));
      expect(ours, name).toStrictEqual(theirs);
    }
  });

  test.prop([fc.oneof(object, fc.constant(null)), fc.func(fc.boolean())])("pickBy", (input, fn) => {
    const ours = recorded(fn);
    const theirs = recorded(fn);
    expect(native.pickBy(input, ours.callback)).toStrictEqual(call(lodashFns, "pickBy", input, theirs.callback));
    expect(ours.calls).toStrictEqual(theirs.calls);
  });

  // Where a combining mark follows the first letter, lodash upper-cases the two together; the
  // shim takes the first code point alone, which is the same for the rule names chevrotain uses.
  const noMarks = fc
    .string({ unit: "grapheme", maxLength: 3 })
    .filter((text) => !/\p{M}|\u200d|[\ufe0e\ufe0f]/u.test(text));
  test.prop([fc.oneof(fc.string({ maxLength: 5 }), noMarks, fc.constant(null))])("upperFirst", (input) => {
    expect(native.upperFirst(input)).toBe(call(lodashFns, "upperFirst", input));
  });

  test("what the shim refuses rather than guesses", () => {
    expect(() => native.map([1], "length" as unknown as () => unknown)).toThrow(TypeError);
    expect(() => native.has({ a: { b: 1 } }, "a.b")).toThrow(TypeError);
    expect(() => native.clone(new Map())).toThrow(TypeError);
    expect(() => native.clone(/x/)).toThrow(TypeError);
  });
});
