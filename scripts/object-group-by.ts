// Object.groupBy (ES2024) for Node 20, installed only where it is missing. chevrotain 12+ calls it
// in its grammar validations and in generateCstDts, which run in the tests and in
// `npm run generate`, never in the package: the shipped parser skips validations, and nothing
// in src/ imports this file (test/bundle/bundles.test.ts checks that the bundles patch no global).

/** Object.groupBy as ES2024 §20.1.2.12 defines it: a null-prototype object of arrays. */
export function groupBy<T>(items: Iterable<T>, key: (item: T, index: number) => PropertyKey): Record<PropertyKey, T[]> {
  const groups: Record<PropertyKey, T[]> = Object.create(null);
  let index = 0;
  for (const item of items) {
    const k = key(item, index++);
    const group = groups[k];
    if (group) group.push(item);
    else groups[k] = [item];
  }
  return groups;
}

if (!("groupBy" in Object)) {
  Object.defineProperty(Object, "groupBy", { value: groupBy, writable: true, configurable: true });
}
