// The tests' Object.groupBy for Node 20 (scripts/object-group-by.ts): chevrotain's grammar
// validations group productions with it, so a wrong grouping would hide a grammar error.
import { describe, expect, it } from "vitest";
import { groupBy } from "../scripts/object-group-by.ts";

type Case = {
  items: unknown[];
  key: (item: unknown, index: number) => PropertyKey;
  groups: [PropertyKey, unknown[]][];
};

const cases: [string, Case][] = [
  [
    "by a computed key",
    {
      items: [1, 2, 3, 4],
      key: (n) => ((n as number) % 2 ? "odd" : "even"),
      groups: [
        ["odd", [1, 3]],
        ["even", [2, 4]],
      ],
    },
  ],
  [
    "by index",
    {
      items: ["a", "b", "c"],
      key: (_, i) => (i < 2 ? "first" : "rest"),
      groups: [
        ["first", ["a", "b"]],
        ["rest", ["c"]],
      ],
    },
  ],
  [
    "keys as property keys: 1 and '1' are one",
    { items: [1, "1"], key: (x) => x as PropertyKey, groups: [["1", [1, "1"]]] },
  ],
  ["__proto__ as an own key", { items: [0], key: () => "__proto__", groups: [["__proto__", [0]]] }],
  ["nothing", { items: [], key: () => "x", groups: [] }],
];

describe("Object.groupBy for Node 20", () => {
  it.each(cases)("%s", (_, { items, key, groups }) => {
    const result = groupBy(items, key);
    expect(Object.getPrototypeOf(result)).toBeNull();
    expect(Reflect.ownKeys(result).map((k) => [k, result[k]])).toStrictEqual(groups);
    // Where the engine has its own (Node 21 on), it is the oracle too.
    const native = (Object as { groupBy?: typeof groupBy }).groupBy;
    if (native && native !== groupBy) expect(native(items, key)).toStrictEqual(result);
  });
});
