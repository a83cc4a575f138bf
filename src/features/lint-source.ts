// What the lint rules (lint-rules.ts) read: every part of a template or request with the blocks
// of it that parse, and every call, literal and clock read of those blocks with where its value
// goes: into a signature (a digest, MAC or public-key signature, or its key), onto the wire, or
// both through a named value. Built from the AST only; nothing here runs a block.

import { build } from "../engine/template.ts";
import type { Argument, Block, Call, Chain, StringLiteral } from "../language/ast.ts";
import { HashHelperError } from "../language/errors.ts";
import type { Method, Param } from "../language/method.ts";
import { timeMethods } from "../language/methods/time.ts";
import type { Rules } from "../language/rules.ts";

/** One text of what is linted: a template, or the URL, body or a header of a request. */
export interface LintPart {
  kind: "template" | "url" | "body" | "header";
  /** "URL", "body", "header Name" in a request; undefined for a template. */
  where: string | undefined;
  source: string;
  /** The source with every block that parsed written over with FILLER: its text outside blocks, at its offsets. */
  skeleton: string;
  blocks: Block[];
}

/** Where a value goes. */
export interface Flow {
  /** Into a digest, MAC or signature, as data or as its key. */
  signed: boolean;
  /** Into the block's output, which the request carries. */
  sent: boolean;
  /** Into a key. */
  key: boolean;
}

export interface CallUse {
  part: LintPart;
  block: Block;
  chain: Chain;
  /** The call's index in its chain. */
  index: number;
  call: Call;
  method: Method | undefined;
  /** Where the call's value goes. */
  flow: Flow;
}

export interface LiteralUse {
  part: LintPart;
  block: Block;
  literal: StringLiteral;
  /** The call it is an argument of, and which. */
  use: CallUse;
  param: Param | undefined;
  flow: Flow;
}

/** A read of the expansion's clock: getExpiryTime(240), getDate("yyyyMMdd"), … */
export interface ClockRead {
  part: LintPart;
  call: Call;
  /** The method and every argument but the offset: reads of one identity differ only by their offset. */
  identity: string;
  offset: number;
  flow: Flow;
  /** The block's whole value is this read (`ts={hash.getExpiryTime(300);}`). */
  standalone: boolean;
}

export interface LintModel {
  rules: Rules;
  parts: LintPart[];
  request: boolean;
  calls: CallUse[];
  literals: LiteralUse[];
  /** Each read once where it is written, and again where a hash.get() of a named value holding it is. */
  clocks: ClockRead[];
  secret: (name: string) => string | undefined;
}

/** What a block that parsed is written over with in a part's skeleton. */
export const FILLER = "\u0001";

const CLOCK = new Set(timeMethods.map((m) => m.name));

/** A digest, MAC or public-key signature: it turns a chain's value into bytes that give nothing of it away. */
export function isDigest(method: Method | undefined): boolean {
  return method !== undefined && method.input !== "start" && method.output === "bytes" && !method.reveals;
}

/**
 * The blocks of a source that parse, even when others do not: a block whose parse fails is
 * taken out (its opener written over) and the rest parsed again, a few rounds at most. Its own
 * errors are the compiler's to report. The openers are found once: each round costs one parse
 * and a binary search a problem, so that reading a part costs a few compiles of it, never more.
 */
export function readPart(rules: Rules, kind: LintPart["kind"], where: string | undefined, source: string): LintPart {
  let text = source;
  let blocks: Block[] = [];
  const openers = openersOf(source);
  const removed = new Set<number>();
  for (let round = 0; round < 4; round++) {
    try {
      blocks = build(text, { rules, reveal: false, check: false }).ast.parts.filter((p) => p.type === "Block");
      break;
    } catch (e) {
      if (!(e instanceof HashHelperError)) throw e;
      if (e.problems.some((p) => p.code === "LIMIT_EXCEEDED")) break;
      const blank: number[] = [];
      for (const p of e.problems) {
        const open = openerBefore(openers, removed, p.span.offset);
        if (open < 0) continue;
        removed.add(open);
        blank.push(open);
      }
      if (blank.length === 0) break;
      blank.sort((a, b) => a - b);
      const pieces: string[] = [];
      let from = 0;
      for (const i of blank) {
        pieces.push(text.slice(from, i), " ");
        from = i + 1;
      }
      pieces.push(text.slice(from));
      text = pieces.join("");
    }
  }
  const pieces: string[] = [];
  let from = 0;
  for (const b of blocks) {
    pieces.push(source.slice(from, b.span.offset), FILLER.repeat(b.span.length));
    from = b.span.offset + b.span.length;
  }
  pieces.push(source.slice(from));
  return { kind, where, source, skeleton: pieces.join(""), blocks };
}

/** Where a `{` or `<` opens a block (`hash` and `.` follow, spaces allowed), in order. */
function openersOf(source: string): number[] {
  return [...source.matchAll(/[{<]\s{0,29}hash\s{0,29}\./g)].map((m) => m.index);
}

/** The last opener at or before `offset` not yet taken out, or -1. */
function openerBefore(openers: readonly number[], removed: ReadonlySet<number>, offset: number): number {
  let lo = 0;
  let hi = openers.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((openers[mid] as number) <= offset) lo = mid + 1;
    else hi = mid;
  }
  // At most the openers taken out so far are stepped over: a few rounds of at most MAX_REPORTED_PROBLEMS.
  for (let i = lo - 1; i >= 0; i--) {
    const at = openers[i] as number;
    if (!removed.has(at)) return at;
  }
  return -1;
}

/** Walks every block of every part once, recording where each call, literal and clock read goes. */
export function modelOf(
  rules: Rules,
  parts: LintPart[],
  request: boolean,
  secret: (name: string) => string | undefined,
): LintModel {
  const model: LintModel = { rules, parts, request, calls: [], literals: [], clocks: [], secret };
  // The clock reads in each named value's value, and the reads of named values, resolved after.
  const named = new Map<string, Named>();
  const gets: { use: CallUse; name: string }[] = [];
  const sending: Flow = { signed: false, sent: true, key: false };
  // The literals in the value of a named value, and the names they are in.
  const inLets: { literal: LiteralUse; lets: readonly string[] }[] = [];

  const walk = (part: LintPart, block: Block, chain: Chain, flow: Flow, lets: readonly string[]) => {
    let last = -1;
    chain.calls.forEach((call, i) => {
      if (isDigest(rules.methods.get(call.method))) last = i;
    });
    chain.calls.forEach((call, index) => {
      const method = rules.methods.get(call.method);
      // What comes before the last digest of the chain is what it signs.
      const out: Flow = index < last ? { signed: true, sent: false, key: flow.key } : flow;
      const use: CallUse = { part, block, chain, index, call, method, flow: out };
      model.calls.push(use);
      const first = call.args[0];
      const name = first?.type === "String" ? first.value : undefined;
      if (method?.names === "read" && name !== undefined) {
        gets.push({ use, name });
        for (const n of lets) named.get(n)?.gets.push(name);
      }
      if (CLOCK.has(call.method) && method) {
        const read = clockRead(part, block, call, method, out);
        if (read) {
          model.clocks.push(read);
          for (const n of lets) named.get(n)?.reads.push(read);
        }
      }
      const inLet = method?.names === "define" && name !== undefined ? [...lets, name] : lets;
      if (inLet !== lets) named.set(name as string, named.get(name as string) ?? { reads: [], gets: [] });
      call.args.forEach((arg: Argument, a) => {
        const param = method?.params[a];
        const argFlow: Flow = isDigest(method) && param?.secret ? { signed: true, sent: false, key: true } : out;
        if (arg.type === "Chain") walk(part, block, arg, argFlow, inLet);
        else if (arg.type === "String") {
          const literal: LiteralUse = { part, block, literal: arg, use, param, flow: argFlow };
          model.literals.push(literal);
          if (inLet.length > 0 && !param?.isName) inLets.push({ literal, lets: inLet });
        }
      });
    });
  };
  for (const part of parts) for (const block of part.blocks) walk(part, block, block.expression, sending, []);

  const goes = resolveGets(model, named, gets);
  // A literal in a named value's value goes where the reads of the name go too: into a signature,
  // into a key (`k={hash.let("k","…");}` read by encodeHmacSha1(hash.get("k")) in another block).
  for (const { literal, lets } of inLets) {
    let bits = 0;
    for (const name of lets) bits |= goes.get(name) ?? 0;
    let signed = false;
    let key = false;
    for (let p = 0; p < 16; p++) {
      if ((bits & (1 << p)) === 0) continue;
      signed ||= (p & 1) !== 0;
      key ||= (p & 4) !== 0;
    }
    if (signed || key)
      literal.flow = { ...literal.flow, signed: literal.flow.signed || signed, key: literal.flow.key || key };
  }
  return model;
}

/** The clock reads a named value's value holds, and the names its value reads with hash.get(). */
interface Named {
  reads: ClockRead[];
  gets: string[];
}

/** What a name's value reads of the clock, as far as `standalone` needs: none, one read, or more. */
type Count = undefined | ClockRead | "many";

const join = (a: Count, b: Count): Count => (a === undefined ? b : b === undefined || a === b ? a : "many");

/**
 * A hash.get() of a named value reads the clock reads of its value (and of the values its value
 * gets), where the get's value goes. Resolved over the graph of names rather than get by get,
 * which would cost gets × reads for a chain of names each reading the one before: what a read
 * needs is the set of places its value goes (signed, sent, a key, and whether it is the whole
 * value of a block), of which there are 16, so each read is recorded at most 16 times more.
 */
function resolveGets(
  model: LintModel,
  named: Map<string, Named>,
  gets: { use: CallUse; name: string }[],
): Map<string, number> {
  const gotBy = (name: string) => named.get(name)?.gets ?? [];
  // Who reads whom: a name's value that gets another holds the other's reads too.
  const readers = new Map<string, string[]>();
  for (const [name, entry] of named) {
    for (const got of entry.gets) {
      const list = readers.get(got);
      if (list) list.push(name);
      else readers.set(got, [name]);
    }
  }
  // How many distinct reads each name's value holds, capped at "more than one".
  const count = new Map<string, Count>();
  for (const [name, entry] of named) count.set(name, entry.reads.reduce<Count>(join, undefined));
  spread(count, (name) => readers.get(name) ?? [], join);
  // Where each name's value goes: a bit for each of the 16 places, from the gets of it, passed on
  // to the names it gets.
  const goes = new Map<string, number>();
  for (const { use, name } of gets) {
    if (!named.has(name)) continue;
    const c = count.get(name);
    const alone = headCall(use.block.expression) === use.call && c !== undefined && c !== "many";
    const { signed, sent, key } = use.flow;
    goes.set(name, (goes.get(name) ?? 0) | (1 << (+signed | (+sent << 1) | (+key << 2) | (+alone << 3))));
  }
  spread(goes, gotBy, (a, b) => (a ?? 0) | b);
  for (const [name, bits] of goes) {
    for (let p = 0; p < 16; p++) {
      if ((bits & (1 << p)) === 0) continue;
      const flow: Flow = { signed: (p & 1) !== 0, sent: (p & 2) !== 0, key: (p & 4) !== 0 };
      for (const read of named.get(name)?.reads ?? [])
        model.clocks.push({ ...read, flow, standalone: (p & 8) !== 0 && read.standalone });
    }
  }
  return goes;
}

/**
 * Passes each name's value on along `next` until nothing changes, joined with what is there. The
 * joins only grow a value, and a value grows a few times at most (16 bits, or none/one/more), so
 * each name is taken up again only that many times.
 */
function spread<V>(
  values: Map<string, V>,
  next: (name: string) => readonly string[],
  join: (a: V | undefined, b: V) => V,
): void {
  const work = [...values.keys()];
  for (let name = work.pop(); name !== undefined; name = work.pop()) {
    const value = values.get(name) as V;
    for (const other of next(name)) {
      const before = values.get(other);
      const after = join(before, value);
      if (after === before) continue;
      values.set(other, after);
      work.push(other);
    }
  }
}

function clockRead(part: LintPart, block: Block, call: Call, method: Method, flow: Flow): ClockRead | undefined {
  const at = method.params.findIndex((p) => p.name === "secondsFromNow");
  const others: unknown[] = [];
  let offset = 0;
  for (const [i, arg] of call.args.entries()) {
    if (arg.type === "Chain") return undefined;
    if (i === at) offset = arg.value as number;
    else others.push(arg.value);
  }
  return {
    part,
    call,
    identity: `${call.method}(${JSON.stringify(others)})`,
    offset,
    flow,
    standalone: flow.sent && !flow.signed && headCall(block.expression) === call,
  };
}

/** The call a chain's value is: its first, or the first of a hash.let()'s value when it starts with one. */
export function headCall(chain: Chain): Call | undefined {
  // Asked once a call of a block, of the block's own chain: computed once a chain.
  if (heads.has(chain)) return heads.get(chain);
  const head = headOf(chain);
  heads.set(chain, head);
  return head;
}

const heads = new WeakMap<Chain, Call | undefined>();

function headOf(chain: Chain): Call | undefined {
  const first = chain.calls[0];
  const value = first?.args[1];
  if (first?.method === "let" && value?.type === "Chain" && chain.calls.length === 1) return headCall(value);
  return chain.calls.every((c, i) => i === 0 || !DIGEST_OR_DATA.test(c.method)) ? first : undefined;
}

// After a value, the calls that keep it the value it was (encodings, printDigest), as opposed to
// those that add to it or sign it.
const DIGEST_OR_DATA = /^(?:append|appendNewLine|encode(?!Base64|Base64Url|URL$)|replace|substring|let|get)/;

/** The text a span of a source holds. */
export function textOf(source: string, span: { offset: number; length: number }): string {
  return source.slice(span.offset, span.offset + span.length);
}

/** The URL's parts as its text outside blocks writes them, or undefined when it writes no query or path. */
export interface UrlShape {
  part: LintPart;
  host: string;
  /** The path, when no block writes any of it. */
  path: string | undefined;
  /** The query's parameters in order: offsets in the source, and where its value starts. */
  params: { name: string; start: number; valueStart: number; end: number; text: string }[];
  queryStart: number;
  queryEnd: number;
}

const shapes = new WeakMap<LintPart, UrlShape>();

export function urlShape(part: LintPart): UrlShape {
  let shape = shapes.get(part);
  if (!shape) {
    shape = shapeOf(part);
    shapes.set(part, shape);
  }
  return shape;
}

function shapeOf(part: LintPart): UrlShape {
  const s = part.skeleton;
  const hashAt = s.indexOf("#");
  const end = hashAt < 0 ? s.length : hashAt;
  const q = s.indexOf("?");
  const queryStart = q < 0 || q > end ? end : q;
  const head = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(s.slice(0, queryStart));
  const host = head?.[1] ?? "";
  const pathText = s.slice(head ? head[0].length : 0, queryStart);
  const params: UrlShape["params"] = [];
  if (queryStart < end) {
    let at = queryStart + 1;
    while (at <= end) {
      const amp = s.indexOf("&", at);
      const stop = amp < 0 || amp > end ? end : amp;
      const text = s.slice(at, stop);
      const eq = text.indexOf("=");
      params.push({
        name: eq < 0 ? text : text.slice(0, eq),
        start: at,
        valueStart: eq < 0 ? stop : at + eq + 1,
        end: stop,
        text,
      });
      at = stop + 1;
    }
  }
  return {
    part,
    host,
    path: pathText && !pathText.includes(FILLER) ? pathText : undefined,
    params,
    queryStart,
    queryEnd: end,
  };
}

/** The query parameter whose value holds `offset`, found by binary search (the params are in order). */
export function paramAt(shape: UrlShape, offset: number): UrlShape["params"][number] | undefined {
  const { params } = shape;
  let lo = 0;
  let hi = params.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((params[mid] as UrlShape["params"][number]).end <= offset) lo = mid + 1;
    else hi = mid;
  }
  const p = params[lo];
  return p && p.valueStart <= offset && offset < p.end ? p : undefined;
}

/**
 * Which of `patterns` occur in one of `texts`: Aho–Corasick, so that the cost is the patterns'
 * length and the texts' once, where asking `includes` of each would cost patterns × texts.
 */
export function occurring(patterns: Iterable<string>, texts: Iterable<string>): Set<string> {
  // The trie's edges in one map, keyed by node and the unit's place in the patterns' alphabet: a
  // small number (no heap number to allocate) while nodes × alphabet stays under 2^30.
  const alphabet = new Map<number, number>();
  const words = [...patterns].filter((p) => p.length > 0);
  for (const p of words) {
    for (let i = 0; i < p.length; i++) {
      const code = p.charCodeAt(i);
      if (!alphabet.has(code)) alphabet.set(code, alphabet.size);
    }
  }
  const width = Math.max(1, alphabet.size);
  const edge = new Map<number, number>();
  const parent: number[] = [0];
  const unit: number[] = [0];
  const word: (string | undefined)[] = [undefined];
  // The nodes by depth, for the failure links, which are built shallowest first.
  const levels: number[][] = [];
  for (const p of words) {
    let s = 0;
    for (let i = 0; i < p.length; i++) {
      const c = alphabet.get(p.charCodeAt(i)) as number;
      let t = edge.get(s * width + c);
      if (t === undefined) {
        t = parent.length;
        edge.set(s * width + c, t);
        parent.push(s);
        unit.push(c);
        word.push(undefined);
        const level = levels[i];
        if (level) level.push(t);
        else levels[i] = [t];
      }
      s = t;
    }
    word[s] = p;
  }
  const n = parent.length;
  const fail = new Int32Array(n);
  // The nearest node down the failure links that ends a pattern, or 0.
  const out = new Int32Array(n);
  const step = (from: number, c: number): number => {
    let s = from;
    for (;;) {
      const t = edge.get(s * width + c);
      if (t !== undefined) return t;
      if (s === 0) return 0;
      s = fail[s] as number;
    }
  };
  for (const level of levels) {
    for (const v of level) {
      const up = parent[v] as number;
      const f = up === 0 ? 0 : step(fail[up] as number, unit[v] as number);
      fail[v] = f;
      out[v] = word[f] !== undefined ? f : (out[f] as number);
    }
  }
  const found = new Set<string>();
  const hit = new Uint8Array(n);
  for (const text of texts) {
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = alphabet.get(text.charCodeAt(i));
      // A unit no pattern has: no pattern goes on through it.
      s = c === undefined ? 0 : step(s, c);
      // Each node is reported once: what lies past a node reported before was reported with it.
      for (let u = word[s] !== undefined ? s : (out[s] as number); u !== 0 && hit[u] === 0; u = out[u] as number) {
        hit[u] = 1;
        found.add(word[u] as string);
      }
    }
  }
  return found;
}
