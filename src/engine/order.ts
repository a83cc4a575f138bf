// The order the blocks of a template, or of every part of a signed request, run in: each after
// the blocks it reads (a named value it gets, a header, the URL…), and two that read each other
// an error.
import type { Call, Chain } from "../language/ast.ts";
import { type NameUse, nameUses, type Scope } from "../language/names.ts";
import type { Rules } from "../language/rules.ts";

/**
 * A unit's dependency on another, and the call that makes it (where a cycle is reported); no
 * call for a dependency of structure (a part on its own blocks).
 */
export interface Edge {
  to: number;
  call?: Call | undefined;
}

/**
 * A read that closes a cycle: `from` reads `to` (through `call`), which reads `from` back. When
 * the edge that closed it is one of structure, the last read on the way to it.
 */
export interface CycleEdge {
  from: number;
  to: number;
  call: Call | undefined;
}

/**
 * An order of the units in which each comes after every unit it depends on, and the edges
 * that close a cycle (their units are ordered anyway, so every problem is still found). A
 * depth-first walk on a stack of its own, so that a chain of thousands of units cannot
 * overflow the call stack; ties are broken by the units' own order.
 */
export function dependencyOrder(deps: readonly (readonly Edge[])[]): { order: number[]; cycles: CycleEdge[] } {
  const order: number[] = [];
  const cycles: CycleEdge[] = [];
  const state = deps.map(() => 0); // 0 new, 1 on the stack, 2 done
  for (let root = 0; root < deps.length; root++) {
    if (state[root] !== 0) continue;
    state[root] = 1;
    const stack: { unit: number; next: number; via?: Edge | undefined; from?: number }[] = [{ unit: root, next: 0 }];
    for (let frame = stack[0]; frame; frame = stack[stack.length - 1]) {
      const edge = deps[frame.unit]?.[frame.next++];
      if (!edge) {
        state[frame.unit] = 2;
        order.push(frame.unit);
        stack.pop();
      } else if (state[edge.to] === 1) {
        if (edge.call) cycles.push({ from: frame.unit, to: edge.to, call: edge.call });
        else {
          // The last read on the way from the unit closed back to, this one.
          let at = stack.length - 1;
          while (at >= 0 && stack[at]?.via?.call === undefined) at--;
          const f = stack[at];
          cycles.push(
            f
              ? { from: f.from as number, to: f.unit, call: f.via?.call }
              : { from: frame.unit, to: edge.to, call: undefined },
          );
        }
      } else if (state[edge.to] === 0) {
        state[edge.to] = 1;
        stack.push({ unit: edge.to, next: 0, via: edge, from: frame.unit });
      }
    }
  }
  return { order, cycles };
}

/** The named values of a set of chains (one a unit): who defines each name, and who reads it. */
export interface NamePlan {
  uses: NameUse[][];
  /** The first unit to define each name. */
  definedBy: Map<string, number>;
  scope: Scope;
}

export function namePlan(chains: readonly (Chain | undefined)[], rules: Rules): NamePlan {
  const uses = chains.map((c) => (c ? nameUses(c, rules.methods) : []));
  const definedBy = new Map<string, number>();
  uses.forEach((list, unit) => {
    for (const u of list) if (u.use === "define" && !definedBy.has(u.name)) definedBy.set(u.name, unit);
  });
  return { uses, definedBy, scope: { defined: new Set(definedBy.keys()), kinds: new Map() } };
}

/**
 * Each unit's dependencies through named values, and a read of a name its own unit defines
 * only after it (`hash.let("a", hash.get("a"))`), which no order can satisfy.
 */
export function nameEdges(plan: NamePlan): { deps: Edge[][]; early: { unit: number; use: NameUse }[] } {
  const early: { unit: number; use: NameUse }[] = [];
  const deps = plan.uses.map((list, unit) => {
    const edges: Edge[] = [];
    for (const use of list) {
      if (use.use !== "read") continue;
      const by = plan.definedBy.get(use.name);
      if (by === undefined) continue; // the checker reports UNDEFINED_NAME
      if (by !== unit) {
        edges.push({ to: by, call: use.call });
        continue;
      }
      const definedBefore = list.some(
        (d) =>
          d.use === "define" && d.name === use.name && d.call.span.offset + d.call.span.length <= use.call.span.offset,
      );
      if (!definedBefore) early.push({ unit, use });
    }
    return edges;
  });
  return { deps, early };
}
