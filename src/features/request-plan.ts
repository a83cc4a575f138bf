// The order the blocks of a signed request run in. Every block is a unit; a unit depends on
// the blocks of what it reads: a named value, a header, the body, a component of the URL. A
// read of "everything" (every header, the URL's query from a block of the URL itself) takes
// everything but the reader's own header or parameter and whatever reads the reader, so a
// signature never signs itself. Two units that read each other are an error naming both.

import { type CycleEdge, dependencyOrder, type Edge, nameEdges, namePlan } from "../engine/order.ts";
import { type Built, readBeforeDefinition } from "../engine/template.ts";
import type { Block, Call, Chain, Template } from "../language/ast.ts";
import type { RequestRead, UrlView } from "../language/context.ts";
import { type Problem, quoteName } from "../language/errors.ts";
import { headerList, missingHeader } from "../language/methods/request.ts";
import type { Scope } from "../language/names.ts";
import type { Rules } from "../language/rules.ts";

/** The parts of a URL, as its text outside blocks divides it. */
export type UrlComponent = "scheme" | "authority" | "path" | "query" | "fragment";

/** Where a piece of a URL template stands: its component, and in the query, which parameter. */
export interface UrlPlace {
  component: UrlComponent;
  param: number;
}

/** A URL template cut where its text divides it: each slice of text, and each block, placed. */
export interface UrlLayout {
  slices: { piece: number; text: string | undefined; place: UrlPlace }[];
  places: Map<number, UrlPlace>;
  /** The names of the query's parameters as written, for messages ('' when a block writes it). */
  params: string[];
  hasQuery: boolean;
}

/** The pieces a part is made of, as the planner needs them. */
export interface PlannedPart {
  kind: "url" | "body" | "header";
  key: string;
  name?: string;
  built?: Built;
  problems: Problem[];
  units: number[];
}

export interface PlannedUnit<P extends PlannedPart> {
  part: P;
  piece: number;
  block: Block;
  place?: UrlPlace;
}

/** How the text of a URL template divides it, read from its text outside blocks only. */
export function urlLayout(ast: Template): UrlLayout {
  const slices: UrlLayout["slices"] = [];
  const places = new Map<number, UrlPlace>();
  const params: string[] = [];
  let component: UrlComponent = "scheme";
  let param = 0;
  let hasQuery = false;
  let pending = ""; // the scheme's text, until ':' shows it is one
  const push = (piece: number, text: string | undefined) => slices.push({ piece, text, place: { component, param } });
  ast.parts.forEach((part, piece) => {
    if (part.type === "Block") {
      if (component === "scheme") {
        // A block before any ':' or '/': the URL has no scheme written out; it is its path.
        if (pending) slices.push({ piece: -1, text: pending, place: { component: "path", param } });
        pending = "";
        component = "path";
      }
      push(piece, undefined);
      places.set(piece, { component, param });
      return;
    }
    let run = "";
    const flush = () => {
      if (run) push(piece, run);
      run = "";
    };
    const text = part.value;
    for (let i = 0; i < text.length; i++) {
      const c = text[i] as string;
      if (component === "scheme") {
        if (c === ":" && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(pending)) {
          run = `${pending}:`;
          pending = "";
          flush();
          const slashes = text.startsWith("//", i + 1);
          component = slashes ? "authority" : "path";
          if (slashes) {
            run = "//";
            i += 2;
          }
          continue;
        }
        if (c === "/" || c === "?" || c === "#" || c === ":") {
          run = pending;
          pending = "";
          component = "path";
          i--;
          continue;
        }
        pending += c;
        continue;
      }
      if (component === "authority" && (c === "/" || c === "?" || c === "#")) {
        flush();
        component = "path";
        i--;
        continue;
      }
      if (component === "path" && (c === "?" || c === "#")) {
        flush();
        if (c === "?") {
          hasQuery = true;
          component = "query";
          params.push("");
        } else component = "fragment";
        continue;
      }
      if (component === "query" && (c === "&" || c === "#")) {
        flush();
        if (c === "&") {
          param++;
          params.push("");
        } else component = "fragment";
        continue;
      }
      if (component === "query" && params[param] !== undefined && !(params[param] as string).includes("=")) {
        // The parameter's name, as long as only text has been seen of it.
        const own = slices.filter((s) => s.place.component === "query" && s.place.param === param);
        if (own.every((s) => s.text !== undefined)) params[param] += c;
      }
      run += c;
    }
    flush();
  });
  if (pending) slices.push({ piece: -1, text: pending, place: { component: "path", param } });
  return { slices, places, params: params.map((p) => p.split("=")[0] ?? ""), hasQuery };
}

/**
 * The URL's text as a block of it sees it: without the parameter that holds the block, and
 * without any parameter one of whose blocks has not run yet (those that read the block).
 */
export function urlText(
  layout: UrlLayout,
  outputs: readonly (string | undefined)[],
  reader: UrlPlace | undefined,
): string {
  let head = "";
  const params: string[] = [];
  const skipped = new Set<number>();
  for (const s of layout.slices) {
    if (s.place.component === "query" && s.text === undefined && outputs[s.piece] === undefined)
      skipped.add(s.place.param);
  }
  if (reader?.component === "query") skipped.add(reader.param);
  for (const s of layout.slices) {
    const value = s.text ?? outputs[s.piece] ?? "";
    if (s.place.component === "fragment") continue;
    if (s.place.component !== "query") head += value;
    else if (!skipped.has(s.place.param)) params[s.place.param] = (params[s.place.param] ?? "") + value;
  }
  const query = layout.params
    .map((_, i) => (skipped.has(i) ? undefined : (params[i] ?? "")))
    .filter((p) => p !== undefined);
  return layout.hasQuery && query.length > 0 ? `${head}?${query.join("&")}` : head;
}

/** The components of a URL, as written, or as the WHATWG URL parser writes them (normalize). */
export function parseUrl(href: string, normalize: boolean): UrlView {
  if (normalize && URL.canParse(href)) {
    const u = new URL(href);
    return {
      href: u.href.replace(/#.*$/s, ""),
      scheme: u.protocol.slice(0, -1),
      host: u.host,
      path: u.pathname || "/",
      query: u.search.slice(1),
    };
  }
  const withoutFragment = href.replace(/#.*$/s, "");
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?/.exec(withoutFragment);
  if (!m) {
    const q = withoutFragment.indexOf("?");
    return {
      href: withoutFragment,
      scheme: "",
      host: "",
      path: (q < 0 ? withoutFragment : withoutFragment.slice(0, q)) || "/",
      query: q < 0 ? "" : withoutFragment.slice(q + 1),
    };
  }
  const authority = m[2] ?? "";
  return {
    href: withoutFragment,
    scheme: (m[1] as string).toLowerCase(),
    host: authority.slice(authority.lastIndexOf("@") + 1),
    path: m[3] || "/",
    query: m[4] ?? "",
  };
}

/** A read of the request, or of a named value, by a call of a block. */
interface Read {
  what: RequestRead;
  /** The call's first argument, when a string literal (a header's name, a list of names). */
  arg: string | undefined;
  call: Call;
}

function readsOf(chain: Chain, rules: Rules): Read[] {
  const found: Read[] = [];
  const walk = (c: Chain): void => {
    for (const call of c.calls) {
      for (const a of call.args) if (a.type === "Chain") walk(a);
      const what = rules.methods.get(call.method)?.reads;
      const first = call.args[0];
      if (what) found.push({ what, arg: first?.type === "String" ? first.value : undefined, call });
    }
  };
  walk(chain);
  return found;
}

export interface RequestPlan<P extends PlannedPart> {
  units: PlannedUnit<P>[];
  order: number[];
  scope: Scope;
  layout: UrlLayout;
  /** For each unit that reads every header: the names it takes. */
  headerNames: Map<PlannedUnit<P>, string[]>;
}

/**
 * The units of a request's parts, the order they run in, the scope they are checked in, and
 * every problem of their reads (a header the request lacks, a cycle) added to their parts.
 */
export function planRequest<P extends PlannedPart>(
  parts: readonly P[],
  url: P,
  body: P | undefined,
  headers: readonly P[],
  rules: Rules,
  describePart: (part: P) => string,
): RequestPlan<P> {
  const units: PlannedUnit<P>[] = [];
  const layout = url.built ? urlLayout(url.built.ast) : { slices: [], places: new Map(), params: [], hasQuery: false };
  for (const part of parts) {
    part.built?.ast.parts.forEach((node, piece) => {
      if (node.type !== "Block") return;
      part.units.push(units.length);
      const place = part === url ? layout.places.get(piece) : undefined;
      units.push({ part, piece, block: node, ...(place ? { place } : {}) });
    });
  }
  const names = namePlan(
    units.map((u) => u.block.expression),
    rules,
  );
  const named = nameEdges(names);
  for (const { unit, use } of named.early)
    (units[unit] as PlannedUnit<P>).part.problems.push(readBeforeDefinition(use.name, use.call));

  const inUrl = (test: (place: UrlPlace) => boolean) =>
    url.units.filter((u) => test((units[u] as PlannedUnit<P>).place as UrlPlace));
  const byKey = headersByKey(headers);
  const headersNamed = (name: string) => byKey.get(name.toLowerCase()) ?? [];
  const hostUnits = () => inUrl((p) => p.component === "authority");
  const headerUnits = (unit: PlannedUnit<P>, name: string, call: Call): number[] => {
    const same = headersNamed(name);
    if (same.length > 0) return same.flatMap((h) => h.units);
    if (name.toLowerCase() === "host") return hostUnits();
    const { message, hint } = missingHeader(name);
    unit.part.problems.push({ code: "MISSING_HEADER", message, hint, ...call.nameSpan });
    return [];
  };
  const component = (unit: PlannedUnit<P>, what: UrlComponent | "all"): number[] =>
    unit.part === url || what === "all"
      ? url.units
      : inUrl((p) => p.component === what || (what === "authority" && p.component === "scheme"));

  // The reads that take "everything but what reads me" are added once the others are known.
  const deferred: { unit: number; read: Read }[] = [];
  const deps: Edge[][] = units.map((unit, u) => {
    const edges: Edge[] = [...(named.deps[u] ?? [])];
    const to = (list: readonly number[], call: Call) => {
      for (const v of list) edges.push({ to: v, call });
    };
    for (const read of readsOf(unit.block.expression, rules)) {
      const { what, arg, call } = read;
      switch (what) {
        case "header":
          if (arg !== undefined) to(headerUnits(unit, arg, call), call);
          break;
        case "headers":
          if (arg === undefined) deferred.push({ unit: u, read });
          else for (const name of headerList(arg) ?? []) to(headerUnits(unit, name, call), call);
          break;
        case "body":
          to(body?.units ?? [], call);
          break;
        case "form":
          to(body?.units ?? [], call);
          to(
            headersNamed("content-type").flatMap((h) => h.units),
            call,
          );
          break;
        case "scheme":
          to(unit.part === url ? inUrl((p) => p.component === "scheme") : url.units, call);
          break;
        case "host":
          to(unit.part === url ? hostUnits() : url.units, call);
          break;
        case "path":
          to(unit.part === url ? inUrl((p) => p.component === "path") : url.units, call);
          break;
        case "query":
        case "url":
          if (unit.part === url) deferred.push({ unit: u, read });
          else to(component(unit, "all"), call);
          break;
      }
    }
    return edges;
  });

  const headerNames = new Map<PlannedUnit<P>, string[]>();
  // What reads a unit is decided by the explicit reads alone, so that two reads of everything
  // see each other whatever order they are looked at in: each takes the other, a cycle.
  const readersOf = reverse(deps);
  for (const { unit: u, read } of deferred) {
    const unit = units[u] as PlannedUnit<P>;
    const readers = dependents(readersOf, u);
    const readsMe = (part: P) => part.units.some((v) => readers.has(v));
    if (read.what === "headers") {
      const taken = headers.filter((h) => h !== unit.part && !readsMe(h));
      for (const h of taken) for (const v of h.units) deps[u]?.push({ to: v, call: read.call });
      const list = [...new Set(taken.map((h) => h.name ?? h.key))];
      if (!headers.some((h) => h.key === "host")) {
        list.push("host");
        for (const v of hostUnits()) deps[u]?.push({ to: v, call: read.call });
      }
      headerNames.set(unit, list);
      continue;
    }
    // The query (or the whole URL) from a block of the URL: every parameter but its own and
    // those that read it; and for the whole URL, what stands before the query too.
    const own = unit.place?.component === "query" ? unit.place.param : -1;
    for (const v of url.units) {
      const place = (units[v] as PlannedUnit<P>).place as UrlPlace;
      if (place.component === "fragment") continue;
      if (place.component !== "query" && read.what === "query") continue;
      if (place.component === "query") {
        if (place.param === own) continue;
        const paramReadsMe = url.units.some((w) => {
          const p = (units[w] as PlannedUnit<P>).place as UrlPlace;
          return p.component === "query" && p.param === place.param && readers.has(w);
        });
        if (paramReadsMe) continue;
      }
      deps[u]?.push({ to: v, call: read.call });
    }
  }

  const { order, cycles } = dependencyOrder(deps);
  const reported = new Set<Call>();
  for (const cycle of cycles) {
    if (reported.has(cycle.call)) continue;
    reported.add(cycle.call);
    reportCycle(cycle, units, layout, describePart);
  }
  return { units, order, scope: names.scope, layout, headerNames };
}

/** The headers of a request by lowercase name, in their order. */
export function headersByKey<P extends PlannedPart>(headers: readonly P[]): Map<string, P[]> {
  const byKey = new Map<string, P[]>();
  for (const h of headers) {
    const same = byKey.get(h.key);
    if (same) same.push(h);
    else byKey.set(h.key, [h]);
  }
  return byKey;
}

/** For each unit, the units that read it directly. */
function reverse(deps: readonly (readonly Edge[])[]): Map<number, number[]> {
  const readers = new Map<number, number[]>();
  deps.forEach((edges, from) => {
    for (const { to } of edges) {
      const list = readers.get(to);
      if (list) list.push(from);
      else readers.set(to, [from]);
    }
  });
  return readers;
}

/** The units that depend on `unit`, directly or not. */
function dependents(readers: ReadonlyMap<number, readonly number[]>, unit: number): Set<number> {
  const found = new Set<number>();
  const stack = [unit];
  while (stack.length > 0) {
    for (const r of readers.get(stack.pop() as number) ?? []) {
      if (!found.has(r)) {
        found.add(r);
        stack.push(r);
      }
    }
  }
  return found;
}

function reportCycle<P extends PlannedPart>(
  { from, to, call }: CycleEdge,
  units: readonly PlannedUnit<P>[],
  layout: UrlLayout,
  describePart: (part: P) => string,
): void {
  const a = units[from] as PlannedUnit<P>;
  const b = units[to] as PlannedUnit<P>;
  const describe = (u: PlannedUnit<P>) => {
    if (u.part.kind !== "url" || !u.place) return describePart(u.part);
    if (u.place.component === "query") {
      const name = layout.params[u.place.param];
      return name ? `the URL's parameter ${quoteName(name)}` : `the URL's parameter ${u.place.param + 1}`;
    }
    return `the URL's ${u.place.component === "authority" ? "host" : u.place.component}`;
  };
  const headers = a.part.kind === "header" && b.part.kind === "header";
  const self = describe(a) === describe(b);
  const message = self ? `${describe(a)} reads itself` : `${describe(a)} and ${describe(b)} read each other`;
  a.part.problems.push({
    code: headers ? "HEADER_CYCLE" : "READ_CYCLE",
    message: headers && !self ? message.replace(/^header (.*) and header /, "headers $1 and ") : message,
    ...call.nameSpan,
    hint: headers
      ? "a header can only read headers that do not read it back"
      : "a part of the request can only read what does not read it back",
  });
}
