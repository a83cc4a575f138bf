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
  let named = false; // the parameter's name has ended with '='
  let blockInParam = false; // a block stands in the parameter before its name ended
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
      if (component === "query") blockInParam = true;
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
          named = false;
          blockInParam = false;
        } else component = "fragment";
        continue;
      }
      if (component === "query" && (c === "&" || c === "#")) {
        flush();
        if (c === "&") {
          param++;
          params.push("");
          named = false;
          blockInParam = false;
        } else component = "fragment";
        continue;
      }
      if (component === "query" && !named && !blockInParam) {
        // The parameter's name, as long as only text has been seen of it.
        if (c === "=") named = true;
        else params[param] += c;
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
  leftOut?: ReadonlySet<number> | undefined,
): string {
  let head = "";
  const params: string[] = [];
  const skipped = new Set<number>(leftOut);
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
  /** The units in the order they run. */
  order: number[];
  scope: Scope;
  layout: UrlLayout;
  /** For each unit that reads every header: the header parts it does not take (its own, its readers). */
  headersLeftOut: Map<PlannedUnit<P>, ReadonlySet<P>>;
  /** For each unit of the URL that reads its query: the parameters it does not take. */
  paramsLeftOut: Map<PlannedUnit<P>, ReadonlySet<number>>;
  /** The header parts by lowercase name, in their order. */
  byKey: ReadonlyMap<string, readonly P[]>;
  /** Some block of the URL reads the URL or a component of it (the Host fallback included). */
  readsUrl: boolean;
}

/**
 * What the order is decided on: a part, or for the URL one of its components (each query
 * parameter its own). A unit depends on segments it reads; a segment is done once its units are.
 */
interface Segment<P extends PlannedPart> {
  part: P;
  place?: UrlPlace;
  units: number[];
}

/**
 * The units of a request's parts, the order they run in, the scope they are checked in, and
 * every problem of their reads (a header the request lacks, a cycle) added to their parts. The
 * graph has a node for each unit and one for each segment, so a read of a part is one edge
 * whatever its number of blocks, and the cost is bounded by the request's blocks and reads.
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
  const segments: Segment<P>[] = [];
  const segmentOfPart = new Map<P, number>();
  const urlSegments = new Map<string, number>(); // "component:param"
  const segmentOf: number[] = []; // by unit
  const segmentFor = (part: P, place: UrlPlace | undefined): number => {
    if (part !== url || !place) {
      let s = segmentOfPart.get(part);
      if (s === undefined) {
        s = segments.push({ part, units: [] }) - 1;
        segmentOfPart.set(part, s);
      }
      return s;
    }
    const key = `${place.component}:${place.component === "query" ? place.param : 0}`;
    let s = urlSegments.get(key);
    if (s === undefined) {
      s = segments.push({ part, place, units: [] }) - 1;
      urlSegments.set(key, s);
    }
    return s;
  };
  for (const part of parts) {
    part.built?.ast.parts.forEach((node, piece) => {
      if (node.type !== "Block") return;
      const u = units.length;
      part.units.push(u);
      const place = part === url ? layout.places.get(piece) : undefined;
      units.push({ part, piece, block: node, ...(place ? { place } : {}) });
      const s = segmentFor(part, place);
      segmentOf.push(s);
      (segments[s] as Segment<P>).units.push(u);
    });
  }
  const U = units.length;
  const node = (segment: number) => U + segment;

  const names = namePlan(
    units.map((u) => u.block.expression),
    rules,
  );
  const named = nameEdges(names);
  for (const { unit, use } of named.early)
    (units[unit] as PlannedUnit<P>).part.problems.push(readBeforeDefinition(use.name, use.call));

  const byKey = headersByKey(headers);
  const headersNamed = (name: string) => byKey.get(name.toLowerCase()) ?? [];
  const hasHost = byKey.has("host");
  const segmentsOf = (list: readonly P[]) =>
    list.flatMap((p) => (segmentOfPart.has(p) ? [segmentOfPart.get(p) as number] : []));
  const urlWhere = (test: (place: UrlPlace) => boolean) =>
    [...urlSegments.values()].filter((s) => test((segments[s] as Segment<P>).place as UrlPlace));
  const allUrl = () => [...urlSegments.values()];
  // A component of the URL read from the URL itself is what its own segments give; read from
  // another part, it is the expanded URL's, parsed once the whole URL has run (a block may write
  // a delimiter there: only a URL that reads itself is bound to its text's structure).
  const component = (unit: PlannedUnit<P>, test: (place: UrlPlace) => boolean) =>
    unit.part === url ? urlWhere(test) : allUrl();
  const hostOf = (unit: PlannedUnit<P>) =>
    component(unit, (p) => p.component === "authority" || p.component === "scheme");
  const headerSegments = (unit: PlannedUnit<P>, name: string, call: Call): number[] => {
    const same = headersNamed(name);
    if (same.length > 0) return segmentsOf(same);
    if (name.toLowerCase() === "host") return hostOf(unit);
    const { message, hint } = missingHeader(name);
    unit.part.problems.push({ code: "MISSING_HEADER", message, hint, ...call.nameSpan });
    return [];
  };

  // Edges: a unit to the units whose names it reads, and to the segments it reads; a segment to
  // its units. The reads that take "everything but what reads me" are added once the others are
  // known, since what reads a segment is decided by them.
  const deps: Edge[][] = [];
  const deferred: { unit: number; read: Read }[] = [];
  let readsUrl = false;
  units.forEach((unit, u) => {
    const edges: Edge[] = [...(named.deps[u] ?? [])];
    const to = (list: readonly number[], call: Call) => {
      for (const s of list) edges.push({ to: node(s), call });
    };
    for (const read of readsOf(unit.block.expression, rules)) {
      const { what, arg, call } = read;
      if (unit.part === url) {
        if (["url", "scheme", "host", "path", "query", "headers"].includes(what)) readsUrl = true;
        if (what === "header" && arg?.toLowerCase() === "host") readsUrl = true;
      }
      switch (what) {
        case "header":
          if (arg !== undefined) to(headerSegments(unit, arg, call), call);
          break;
        case "headers":
          if (arg !== undefined) {
            for (const name of headerList(arg) ?? []) to(headerSegments(unit, name, call), call);
            break;
          }
          // Every header: the URL's host, when there is no Host header, is read as it is; the
          // headers are read all but the reader's own and those that read it, decided below.
          if (!hasHost) to(hostOf(unit), call);
          deferred.push({ unit: u, read });
          break;
        case "body":
          to(body ? segmentsOf([body]) : [], call);
          break;
        case "form":
          to(body ? segmentsOf([body]) : [], call);
          to(segmentsOf(headersNamed("content-type")), call);
          break;
        case "scheme":
          to(
            component(unit, (p) => p.component === "scheme"),
            call,
          );
          break;
        case "host":
          to(hostOf(unit), call);
          break;
        case "path":
          to(
            component(unit, (p) => p.component === "path"),
            call,
          );
          break;
        case "query":
        case "url":
          if (unit.part !== url) {
            to(allUrl(), call);
            break;
          }
          // From the URL itself: what stands before the query is read as it is; the parameters
          // are read all but the reader's own and those that read it, decided below.
          if (what === "url")
            to(
              urlWhere((p) => p.component !== "query" && p.component !== "fragment"),
              call,
            );
          deferred.push({ unit: u, read });
          break;
      }
    }
    deps[u] = edges;
  });
  segments.forEach((segment, s) => {
    deps[node(s)] = segment.units.map((to) => ({ to }));
  });

  // Which units read a given block, from the explicit reads alone (a read of a segment is a read
  // of each of its units): a header or parameter is left out of a read of everything when it
  // reads the reading block itself, not merely another block beside it. Two reads of everything
  // then see each other whatever order they are looked at in, each taking the other: a cycle.
  const nodeReaders = new Map<number, number[]>();
  deps.forEach((edges, from) => {
    for (const { to } of edges) {
      const list = nodeReaders.get(to);
      if (list) list.push(from);
      else nodeReaders.set(to, [from]);
    }
  });
  const unitsReading = (u: number): Set<number> => {
    const found = new Set<number>();
    const seen = new Set<number>([u]);
    const stack = [u];
    while (stack.length > 0) {
      for (const r of nodeReaders.get(stack.pop() as number) ?? []) {
        if (seen.has(r)) continue;
        seen.add(r);
        if (r < U) found.add(r);
        stack.push(r);
      }
    }
    return found;
  };

  const headersLeftOut = new Map<PlannedUnit<P>, ReadonlySet<P>>();
  const paramsLeftOut = new Map<PlannedUnit<P>, ReadonlySet<number>>();
  for (const { unit: u, read } of deferred) {
    const unit = units[u] as PlannedUnit<P>;
    const edges = deps[u] as Edge[];
    const readsBlock = unitsReading(u);
    if (read.what === "headers") {
      const out = new Set<P>(headers.filter((h) => h === unit.part || h.units.some((v) => readsBlock.has(v))));
      headersLeftOut.set(unit, out);
      for (const h of headers) {
        const s = segmentOfPart.get(h);
        if (s !== undefined && !out.has(h)) edges.push({ to: node(s), call: read.call });
      }
      continue;
    }
    // The query (or the whole URL) from a block of the URL: every parameter but its own and
    // those that read it; and for the whole URL, what stands before the query too.
    const ownParam = unit.place?.component === "query" ? unit.place.param : -1;
    const out = new Set<number>(ownParam >= 0 ? [ownParam] : []);
    for (const s of urlSegments.values()) {
      const segment = segments[s] as Segment<P>;
      const place = segment.place as UrlPlace;
      if (place.component !== "query") continue;
      if (place.param === ownParam || segment.units.some((v) => readsBlock.has(v))) {
        out.add(place.param);
        continue;
      }
      edges.push({ to: node(s), call: read.call });
    }
    paramsLeftOut.set(unit, out);
  }

  const { order, cycles } = dependencyOrder(deps);
  const reported = new Set<Call>();
  for (const cycle of cycles) {
    if (!cycle.call || reported.has(cycle.call)) continue;
    reported.add(cycle.call);
    reportCycle(
      cycle as CycleEdge & { call: Call },
      units,
      segments.length > 0 ? (n) => describeNode(n) : () => "",
      segmentOf,
      U,
    );
  }
  return {
    units,
    order: order.filter((n) => n < U),
    scope: names.scope,
    layout,
    headersLeftOut,
    paramsLeftOut,
    byKey,
    readsUrl,
  };

  function describeNode(n: number): string {
    const segment = segments[n >= U ? n - U : (segmentOf[n] as number)] as Segment<P>;
    if (segment.part.kind !== "url" || !segment.place) return describePart(segment.part);
    if (segment.place.component === "query") {
      const name = layout.params[segment.place.param];
      return name ? `the URL's parameter ${quoteName(name)}` : `the URL's parameter ${segment.place.param + 1}`;
    }
    return `the URL's ${segment.place.component === "authority" ? "host" : segment.place.component}`;
  }
}

/** The headers of a request by lowercase name, in their order. */
function headersByKey<P extends PlannedPart>(headers: readonly P[]): Map<string, P[]> {
  const byKey = new Map<string, P[]>();
  for (const h of headers) {
    const same = byKey.get(h.key);
    if (same) same.push(h);
    else byKey.set(h.key, [h]);
  }
  return byKey;
}

function reportCycle<P extends PlannedPart>(
  { from, to, call }: CycleEdge & { call: Call },
  units: readonly PlannedUnit<P>[],
  describe: (node: number) => string,
  segmentOf: readonly number[],
  U: number,
): void {
  const a = units[from] as PlannedUnit<P>;
  const b = to < U ? (units[to] as PlannedUnit<P>) : undefined;
  const what = describe(from);
  const other = describe(to);
  const self = what === other || (to >= U && segmentOf[from] === to - U);
  const headers = a.part.kind === "header" && (b ? b.part.kind === "header" : other.startsWith("header "));
  const message = self ? `${what} reads itself` : `${what} and ${other} read each other`;
  a.part.problems.push({
    code: headers ? "HEADER_CYCLE" : "READ_CYCLE",
    message: headers && !self ? message.replace(/^header (.*) and header /, "headers $1 and ") : message,
    ...call.nameSpan,
    hint: headers
      ? "a header can only read headers that do not read it back"
      : "a part of the request can only read what does not read it back",
  });
}
