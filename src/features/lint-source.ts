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
 * errors are the compiler's to report.
 */
export function readPart(rules: Rules, kind: LintPart["kind"], where: string | undefined, source: string): LintPart {
  let text = source;
  let blocks: Block[] = [];
  for (let round = 0; round < 4; round++) {
    try {
      blocks = build(text, { rules, reveal: false, check: false }).ast.parts.filter((p) => p.type === "Block");
      break;
    } catch (e) {
      if (!(e instanceof HashHelperError)) throw e;
      if (e.problems.some((p) => p.code === "LIMIT_EXCEEDED")) break;
      let changed = false;
      for (const p of e.problems) {
        const open = openerBefore(text, p.span.offset);
        if (open < 0) continue;
        text = `${text.slice(0, open)} ${text.slice(open + 1)}`;
        changed = true;
      }
      if (!changed) break;
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

/** The last `{` or `<` at or before `offset` that opens a block (`hash` and `.` follow, spaces allowed). */
function openerBefore(text: string, offset: number): number {
  for (let i = Math.min(offset, text.length - 1); i >= 0; i--) {
    const c = text[i];
    if ((c === "{" || c === "<") && /^[{<]\s*hash\s*\./.test(text.slice(i, i + 64))) return i;
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
  const named = new Map<string, { reads: ClockRead[]; gets: string[] }>();
  const gets: { use: CallUse; name: string }[] = [];
  const sending: Flow = { signed: false, sent: true, key: false };

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
        else if (arg.type === "String") model.literals.push({ part, block, literal: arg, use, param, flow: argFlow });
      });
    });
  };
  for (const part of parts) for (const block of part.blocks) walk(part, block, block.expression, sending, []);

  // A hash.get() of a named value reads the clock reads of its value, where the get's value goes.
  const readsOf = (name: string, seen: Set<string>): ClockRead[] => {
    const entry = named.get(name);
    if (!entry || seen.has(name)) return [];
    seen.add(name);
    return [...entry.reads, ...entry.gets.flatMap((n) => readsOf(n, seen))];
  };
  for (const { use, name } of gets) {
    const alone = headCall(use.block.expression) === use.call;
    const reads = readsOf(name, new Set());
    for (const read of reads) {
      model.clocks.push({ ...read, flow: use.flow, standalone: alone && reads.length === 1 && read.standalone });
    }
  }
  return model;
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
