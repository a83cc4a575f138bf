import type { Span } from "../language/ast.ts";
import { BULLET, mergeSpans } from "../language/errors.ts";
import type { Method, Param } from "../language/method.ts";
import { methods } from "../language/methods.ts";
import { suggest } from "../language/suggest.ts";
import { isExpression } from "../syntax/forms.ts";
import { type LexFailure, tokenize } from "../syntax/lexer.ts";
import {
  AngleClose,
  AngleOpen,
  BraceClose,
  BraceOpen,
  Comma,
  Dot,
  Hash,
  Identifier,
  LParen,
  NumberLiteral,
  RParen,
  Semicolon,
  StringLiteral,
  Text,
  type Token,
  type TokenType,
  UnterminatedString,
} from "../syntax/tokens.ts";

/**
 * What a mask hides. "all": the text of every literal, since literals are where keys live (keys
 * appended as data too), except the names the method table marks (`getSecret("moz")`). "keys":
 * only what may be a key, for a redacted template that should still read as it was written.
 */
export type Masking = "all" | "keys";

/** How a source is read: a template, blocks among text, or one bare expression (`hash.…`). */
export type Shape = "template" | "expression";

export interface MaskOptions {
  /** How to read the source. Default: an expression when isExpression() (src/syntax/forms.ts), else a template. */
  shape?: Shape | undefined;
  /** The method table that says which parameters are names and which take keys. Default: the language's. */
  methods?: ReadonlyMap<string, Method> | undefined;
}

/** What errors mask in their excerpts: every literal but names, by the rules of maskSpans(). */
export function errorMasks(source: string, options: MaskOptions = {}): Span[] {
  return maskSpans(source, "all", options);
}

/** The source with every code unit of every span shown as one bullet, so offsets still line up. */
export function applyMasks(source: string, spans: readonly Span[]): string {
  const parts: string[] = [];
  let at = 0;
  for (const span of mergeSpans(spans)) {
    parts.push(source.slice(at, span.offset), BULLET.repeat(span.length));
    at = span.offset + span.length;
  }
  parts.push(source.slice(at));
  return parts.join("");
}

/**
 * The spans to mask, in order and never overlapping, decided from the tokens alone so that the
 * rule holds for text that does not lex or parse. Inside a block (or a bare expression):
 *
 * - a string literal's text is masked, its quotes kept, unless it is a name: a whole argument
 *   (alone between `(` or `,` and `,` or `)`) of an exactly named method, in a parameter marked
 *   `isName`, whatever else the block holds. With "keys" it is also shown when it is data: a
 *   whole argument, in a parameter that takes no key, of a method known or nearly so, outside
 *   any key argument, in a block that follows the grammar up to it. A named value's definition
 *   (`hash.let("k", …)`) is a key argument when some block reads the name where a key goes
 *   (`encodeHmacSha1(hash.get("k"))`), or shares a value with a name that is read so; every
 *   definition is, when a read cannot be told apart (a block off the grammar, a read by no
 *   literal name where a key goes, a read in a string that swallowed calls);
 * - an unterminated string is masked to the end of its line;
 * - a number is masked unless it is a whole argument of a bounded count (`getExpiryTime(240)`),
 *   or, with "keys", data;
 * - a word is masked unless it names a method (after `hash.` or `).`, or before `(`); no quotes
 *   are added (`appendMethods(•••••••••••)`);
 * - characters the lexer could not read are masked: they may be the rest of an unquoted key.
 *
 * A call that a typo has pushed out of its block (`{hash.append("x")}.encodeHmacSha1("k")`) is
 * text to the lexer, so text outside blocks is searched as text: after each `name(` or `.(`
 * ("keys": only of a method that may take a key), the quoted run that follows, or else the rest
 * up to `)`, is masked. Other text is left alone, a JSON body's own quotes included.
 */
export function maskSpans(source: string, masking: Masking, options: MaskOptions = {}): Span[] {
  const shape = options.shape ?? (isExpression(source) ? "expression" : "template");
  const table = options.methods ?? methods;
  const { tokens, failures } = tokenize(source, shape === "expression" ? "bare" : "text");
  const items = itemsOf(tokens, failures);
  const resolver = resolve(table);
  if (masking === "all") return maskPass({ source, items, masking, table, resolver, spans: [] }, shape);
  // With "keys", a named value is a key when a read of its name feeds a key argument, in any
  // block (`hash.let("k", "…")` then `encodeHmacSha1(hash.get("k"))`): the first pass finds the
  // names, and only when one of them is defined does a second pass mask its definitions' values.
  const flow = new NameFlow();
  const spans = maskPass({ source, items, masking, table, resolver, spans: [], flow }, shape);
  const keys = flow.keys();
  if (keys === undefined) return spans;
  return maskPass({ source, items, masking, table, resolver, spans: [], keys }, shape);
}

/** One pass of maskSpans() over the items of a source. */
function maskPass(pass: Pass, shape: Shape): Span[] {
  const { source, items, spans } = pass;
  if (shape === "expression") {
    walk(pass, 0, items.length, shape);
    return spans;
  }
  // Blocks, and the text between them, come in order, so the spans do too.
  let open = -1;
  let spilled = false;
  for (let i = 0; i < items.length; i++) {
    const kind = items.kind[i];
    if (kind === K.Open) open = i;
    else if (kind === K.Close && open !== -1) {
      walk(pass, open, i + 1, shape);
      spilled = !wellFormed(items, open, i);
      open = -1;
    } else if (kind === K.Text) {
      const from = items.start[i] as number;
      const to = items.end[i] as number;
      // A block closed too early (`….encodeHmacSha256}"k").printDigest();}`, `(};k)`), or text
      // that goes on as its chain would (`{hash.append("x");}.encodeHmacSha1"k")`): what follows
      // on its line is the rest of the block, keys and all, and is masked as an expression is.
      const first = source[from];
      const goesOn = i > 0 && items.kind[i - 1] === K.Close && (first === "." || first === "(");
      if (spilled || goesOn) {
        const lineEnd = source.indexOf("\n", from);
        const end = lineEnd === -1 || lineEnd > to ? to : lineEnd;
        spillSpans(pass, from, end);
        textualSpans(pass, end, to);
        // Text is lexed in runs that a `{` or `<` ends: the line may go on in the next one.
        spilled = end === to;
      } else {
        textualSpans(pass, from, to);
        spilled = false;
      }
    }
  }
  if (open !== -1) walk(pass, open, items.length, shape);
  return spans;
}

/**
 * Whether the block of items [open, close] reads as a block ends: its parentheses balanced, and a
 * ';' right before its closer. One that does not was closed by a brace or '>' typed inside it.
 */
function wellFormed(items: Items, open: number, close: number): boolean {
  let depth = 0;
  for (let i = open + 1; i < close; i++) {
    const kind = items.kind[i];
    if (kind === K.LParen) depth++;
    else if (kind === K.RParen && --depth < 0) return false;
  }
  return depth === 0 && items.kind[close - 1] === K.Semicolon;
}

/** The text [from, to) masked as the rest of an expression: lexed as one, and walked as one. */
function spillSpans(pass: Pass, from: number, to: number): void {
  const { tokens, failures } = tokenize(pass.source.slice(from, to), "bare");
  for (const token of tokens) token.startOffset += from;
  const shifted = failures.map((f) => ({ offset: f.offset + from, length: f.length }));
  const items = itemsOf(tokens, shifted);
  walk({ ...pass, items }, 0, items.length, "expression");
}

/** One masking pass over a source. */
interface Pass {
  source: string;
  items: Items;
  masking: Masking;
  table: ReadonlyMap<string, Method>;
  resolver: Resolver;
  spans: Span[];
  /** For "keys", first pass: where the names of named values are defined and read. */
  flow?: NameFlow | undefined;
  /** For "keys", second pass: the names whose values are keys ("*": every name). */
  keys?: ReadonlySet<string> | undefined;
}

/**
 * The names of named values as the first "keys" pass finds them: a name read or defined where a
 * key goes (or after a typo, where anything may) is a key, and so is every name read or defined
 * inside the value of a key's definition, or whose value holds a read of a key: one value feeds
 * the other. Names joined so are kept as sets (union-find), linear in the template's size.
 */
class NameFlow {
  private readonly parent = new Map<string, string>();
  private readonly seeds: string[] = [];
  private readonly defined: string[] = [];
  /**
   * Any name may be a key: a read where a key goes whose name is no literal, a read hidden in a
   * string that swallowed calls, or a block that does not follow the grammar, whose calls (its
   * reads among them) cannot be told apart.
   */
  anyKey = false;

  /** A call of hash.let or hash.get with its name, at a key's place or not, inside a definition's value or not. */
  use(name: string, define: boolean, atKey: boolean, owner: string | undefined): void {
    this.root(name);
    if (define) this.defined.push(name);
    if (atKey) this.seeds.push(name);
    if (owner !== undefined) this.parent.set(this.root(name), this.root(owner));
  }

  private root(name: string): string {
    let at = name;
    for (let up = this.parent.get(at); up !== undefined && up !== at; up = this.parent.get(at)) at = up;
    if (!this.parent.has(name)) this.parent.set(name, name);
    // Path compression: every name on the way now points at the root.
    for (let next = name; next !== at; ) {
      const up = this.parent.get(next) as string;
      this.parent.set(next, at);
      next = up;
    }
    return at;
  }

  /** The names whose definitions hold keys, or undefined when no definition does. */
  keys(): ReadonlySet<string> | undefined {
    if (this.anyKey) return this.defined.length > 0 ? ANY_NAME : undefined;
    if (this.seeds.length === 0 || this.defined.length === 0) return undefined;
    const roots = new Set(this.seeds.map((name) => this.root(name)));
    const keys = new Set(this.defined.filter((name) => roots.has(this.root(name))));
    return keys.size > 0 ? keys : undefined;
  }
}

/** Every name is a key's. */
const ANY_NAME: ReadonlySet<string> = new Set(["*"]);

/** A name's literal as its value: the text between the quotes, its escapes read as to-ast.ts does. */
function nameValue(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(/\\(u[0-9A-Fa-f]{4}|.)/g, (whole, sequence: string) =>
    sequence.length === 5 ? String.fromCharCode(Number.parseInt(sequence.slice(1), 16)) : (ESCAPED[sequence] ?? whole),
  );
}
const ESCAPED: Record<string, string> = { "\\": "\\", '"': '"', "'": "'", n: "\n", r: "\r", t: "\t" };

const K = {
  Failure: 0,
  Open: 1,
  Close: 2,
  Hash: 3,
  Dot: 4,
  LParen: 5,
  RParen: 6,
  Comma: 7,
  Semicolon: 8,
  String: 9,
  Unterminated: 10,
  Number: 11,
  Word: 12,
  Text: 13,
} as const;
type Kind = (typeof K)[keyof typeof K];

const kinds = new Map<TokenType, Kind>([
  [BraceOpen, K.Open],
  [AngleOpen, K.Open],
  [BraceClose, K.Close],
  [AngleClose, K.Close],
  [Hash, K.Hash],
  [Dot, K.Dot],
  [LParen, K.LParen],
  [RParen, K.RParen],
  [Comma, K.Comma],
  [Semicolon, K.Semicolon],
  [StringLiteral, K.String],
  [UnterminatedString, K.Unterminated],
  [NumberLiteral, K.Number],
  [Identifier, K.Word],
  [Text, K.Text],
]);

/**
 * The tokens and the runs of characters no token matched, in one list in offset order, so that
 * a failure between two tokens parts them. In typed arrays: a template of 64 KiB has tens of
 * thousands of tokens, and an object each would be most of the cost.
 */
interface Items {
  length: number;
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
}

function itemsOf(tokens: readonly Token[], failures: readonly LexFailure[]): Items {
  const length = tokens.length + failures.length;
  const items: Items = {
    length,
    kind: new Uint8Array(length),
    start: new Int32Array(length),
    end: new Int32Array(length),
  };
  let f = 0;
  let n = 0;
  const failure = () => {
    const { offset, length } = failures[f++] as LexFailure;
    items.start[n] = offset;
    items.end[n++] = offset + length;
  };
  for (const token of tokens) {
    while (f < failures.length && (failures[f] as LexFailure).offset < token.startOffset) failure();
    items.kind[n] = kinds.get(token.tokenType) ?? K.Failure;
    items.start[n] = token.startOffset;
    items.end[n++] = token.startOffset + token.image.length;
  }
  while (f < failures.length) failure();
  return items;
}

/** Adds a span after the others, joined to the last one when they touch. */
function push(spans: Span[], offset: number, end: number): void {
  if (end <= offset) return;
  const last = spans[spans.length - 1];
  if (last && offset <= last.offset + last.length) last.length = Math.max(last.length, end - last.offset);
  else spans.push({ offset, length: end - offset });
}

/** An argument list being read. */
interface Frame {
  /** The method named exactly before the `(`, if any: names and counts need the exact name. */
  exact: Method | undefined;
  /** For "keys": the method called, known or a near miss, while the block follows the grammar. */
  called: Method | undefined;
  /** Index of the argument being read. */
  arg: number;
  /** Items already seen in that argument: a whole argument is the only one. */
  seen: number;
  /** For "keys": the argument being read may be a key, or is inside one. */
  key: boolean;
  /** For "keys": an enclosing argument may be a key. */
  outerKey: boolean;
  /** For "keys": the call defines or reads a named value (hash.let, hash.get). */
  names: "define" | "read" | undefined;
  /** For "keys": the name it defines or reads, once its first argument is read as a whole literal. */
  named: string | undefined;
  /** For "keys": the call stands where a key goes, or after a typo. */
  atKey: boolean;
  /** For "keys": the name of the innermost definition whose value holds the call. */
  owner: string | undefined;
  /** For "keys": a definition of a name whose value is a key (second pass). */
  keyed: boolean;
}

type Resolver = (name: string) => Method | undefined;

/** A method by name, or the near miss suggest() would offer; one suggestion a name per pass. */
function resolve(table: ReadonlyMap<string, Method>): Resolver {
  // No name much longer than every method's is within suggest()'s distance of one, and
  // suggest() costs the product of the lengths.
  let longest = 0;
  for (const name of table.keys()) longest = Math.max(longest, name.length);
  const near = new Map<string, Method | undefined>();
  return (name) => {
    const exact = table.get(name);
    if (exact || name.length > longest * 2) return exact;
    if (!near.has(name)) near.set(name, table.get(suggest(name, table.keys()) ?? ""));
    return near.get(name);
  };
}

function mayBeKey(frame: Frame): boolean {
  const param: Param | undefined = frame.called?.params[frame.arg];
  return frame.outerKey || param === undefined || param.secret === true || (frame.keyed && frame.arg > 0);
}

/** The innermost definition whose value holds what stands in the frame's argument. */
function ownerIn(frame: Frame | undefined): string | undefined {
  if (frame === undefined) return undefined;
  return frame.names === "define" && frame.arg > 0 && frame.named !== undefined ? frame.named : frame.owner;
}

/** A read whose name is no literal, where a key goes: any named value may be the key. */
function unnamedRead(flow: NameFlow | undefined, frame: Frame): void {
  if (flow && frame.names === "read" && frame.named === undefined && frame.atKey) flow.anyKey = true;
}

// Where a block reads as the grammar has it, token by token (src/syntax/parser.ts, simplified).
// With "keys" a literal is shown as data only while everything before it does: after a typo
// (`encodeHmacMd5[hash.append("k")]`, `encodeHmacMd5 hash.append("k")`) no call can be trusted
// to be what it looks like.
const S = {
  Broken: -1,
  BeforeOpen: 0,
  BeforeHash: 1,
  AfterPart: 2,
  AfterDot: 3,
  AfterName: 4,
  BeforeFirstArg: 5,
  BeforeArg: 6,
  AfterArg: 7,
  AfterSemicolon: 8,
  Done: 9,
} as const;
type State = (typeof S)[keyof typeof S];

function step(state: State, kind: number, inCall: boolean): State {
  switch (state) {
    case S.BeforeOpen:
      return kind === K.Open ? S.BeforeHash : S.Broken;
    case S.BeforeHash:
      return kind === K.Hash ? S.AfterPart : S.Broken;
    case S.AfterPart:
      if (kind === K.Dot) return S.AfterDot;
      if (inCall) return kind === K.Comma ? S.BeforeArg : kind === K.RParen ? S.AfterPart : S.Broken;
      return kind === K.Semicolon ? S.AfterSemicolon : S.Broken;
    case S.AfterDot:
      return kind === K.Word ? S.AfterName : S.Broken;
    case S.AfterName:
      return kind === K.LParen ? S.BeforeFirstArg : S.Broken;
    case S.BeforeFirstArg:
    case S.BeforeArg:
      if (kind === K.String || kind === K.Number) return S.AfterArg;
      if (kind === K.Hash) return S.AfterPart;
      return kind === K.RParen && state === S.BeforeFirstArg ? S.AfterPart : S.Broken;
    case S.AfterArg:
      return kind === K.Comma ? S.BeforeArg : kind === K.RParen ? S.AfterPart : S.Broken;
    case S.AfterSemicolon:
      return kind === K.Close ? S.Done : S.Broken;
    default:
      return S.Broken;
  }
}

/** Masks the items [from, to) of one block or expression. */
function walk(
  { source, items, masking, table, resolver, spans, flow, keys }: Pass,
  from: number,
  to: number,
  shape: Shape,
): void {
  const kindAt = (i: number): number | undefined => (i >= from && i < to ? items.kind[i] : undefined);
  const stack: Frame[] = [];
  let state: State = masking === "keys" ? (shape === "template" ? S.BeforeOpen : S.BeforeHash) : S.Broken;
  for (let i = from; i < to; i++) {
    const kind = items.kind[i] as number;
    const start = items.start[i] as number;
    const end = items.end[i] as number;
    const frame = stack[stack.length - 1];
    if (state !== S.Broken) state = step(state, kind, frame !== undefined);
    if (kind === K.LParen) {
      if (frame) frame.seen++;
      const callee = kindAt(i - 1) === K.Word ? source.slice(items.start[i - 1], items.end[i - 1]) : undefined;
      const exact = callee === undefined ? undefined : table.get(callee);
      const called = state !== S.Broken && callee !== undefined ? resolver(callee) : undefined;
      const names = masking === "keys" ? (exact ?? called)?.names : undefined;
      const next: Frame = {
        exact,
        called,
        arg: 0,
        seen: 0,
        key: false,
        outerKey: frame?.key ?? false,
        names,
        named: undefined,
        // A call after a typo may be anything's argument, a key's too.
        atKey: (frame?.key ?? false) || state === S.Broken,
        owner: ownerIn(frame),
        keyed: names === "define" && keys === ANY_NAME,
      };
      next.key = mayBeKey(next);
      stack.push(next);
      continue;
    }
    if (kind === K.RParen) {
      if (frame) unnamedRead(flow, frame);
      stack.pop();
      continue;
    }
    if (kind === K.Comma && frame) {
      frame.arg++;
      frame.seen = 0;
      frame.key = mayBeKey(frame);
      continue;
    }
    const after = kindAt(i + 1);
    // A whole argument, alone between its delimiters. Without the closing one, a literal that a
    // quote typed earlier has stretched over the calls after it (`getDate('…encodeHmacMd5("k")…'`
    // to the end of the line) would count as a name.
    // And a literal that holds a '(' may be calls a stray quote swallowed whole
    // (`getSecret("x).encodeHmacMd5('k').append(",…`): never a name, nor data.
    const swallowed = kind === K.String && source.slice(start + 1, end - 1).includes("(");
    // A string that swallowed calls may hold the read of a key (`append("a).encodeHmacSha1(hash.get(")`).
    if (flow && swallowed && hidesRead(table, source.slice(start + 1, end - 1))) flow.anyKey = true;
    const whole = frame !== undefined && frame.seen === 0 && (after === K.Comma || after === K.RParen) && !swallowed;
    const param = whole ? frame.exact?.params[frame.arg] : undefined;
    const data = state !== S.Broken && whole && !frame.key;
    if (frame?.names !== undefined && frame.arg === 0 && frame.seen === 0 && whole && kind === K.String) {
      const name = nameValue(source.slice(start + 1, end - 1));
      frame.named = name;
      flow?.use(name, frame.names === "define", frame.atKey, frame.owner);
      if (frame.names === "define" && keys?.has(name)) frame.keyed = true;
    }
    if (frame) frame.seen++;
    switch (kind) {
      case K.String:
        if (!param?.isName && !data) push(spans, start + 1, end - 1);
        break;
      case K.Number:
        if (param?.bound === undefined && !data) push(spans, start, end);
        break;
      case K.Word: {
        const before = kindAt(i - 2);
        const method = after === K.LParen || (kindAt(i - 1) === K.Dot && (before === K.Hash || before === K.RParen));
        if (!method) push(spans, start, end);
        break;
      }
      case K.Unterminated:
        push(spans, start + 1, end);
        break;
      case K.Failure:
        push(spans, start, end);
        break;
    }
  }
  // Calls left open at the end (`encodeHmacSha1(hash.get(` and no more).
  for (const frame of stack) unnamedRead(flow, frame);
  if (flow && state === S.Broken) flow.anyKey = true;
}

const readNames = new WeakMap<ReadonlyMap<string, Method>, string[]>();

/** Whether text holds what may be a call of a method that reads a named value: its name, then '('. */
function hidesRead(table: ReadonlyMap<string, Method>, text: string): boolean {
  let names = readNames.get(table);
  if (names === undefined) {
    names = [...table.values()].filter((m) => m.names === "read").map((m) => m.name);
    readNames.set(table, names);
  }
  for (const name of names) {
    for (let at = text.indexOf(name); at !== -1; at = text.indexOf(name, at + 1)) {
      let i = at + name.length;
      while (text[i] === " " || text[i] === "\t") i++;
      if (text[i] === "(" && !isNameChar(text.charCodeAt(at - 1))) return true;
    }
  }
  return false;
}

/**
 * Arguments of calls in text outside blocks, found in the raw text [from, to): after each
 * `name(` or `.(`, the quoted run that follows (its text, to its closing quote or the end of the
 * line) or else everything up to `)` or the end of the line. With "keys", only calls of a
 * method that may take a key: unknown, or nearly the name of one that does.
 */
function textualSpans({ source, masking, resolver, spans, flow }: Pass, from: number, to: number): void {
  let closeEnd = from;
  // Where the last scan for a closing quote found none: a later scan for the same quote that
  // starts before there ends there too, which keeps the whole pass linear.
  let unclosed: { quote: string; end: number } | undefined;
  // Each '(' is found with indexOf and its name read backwards: a regex for `name\s*\(` would
  // backtrack over every long name that no '(' follows, quadratic in a 64 KiB template.
  for (let paren = source.indexOf("(", from); paren !== -1 && paren < to; paren = source.indexOf("(", paren + 1)) {
    let nameEnd = paren;
    while (nameEnd > from && (source[nameEnd - 1] === " " || source[nameEnd - 1] === "\t")) nameEnd--;
    let nameStart = nameEnd;
    while (nameStart > from && isNameChar(source.charCodeAt(nameStart - 1))) nameStart--;
    // Digits stuck to the front are not part of a name: `240.5encodeHmacSha1(` is a typo'd call.
    while (nameStart < nameEnd && isDigit(source.charCodeAt(nameStart))) nameStart++;
    const name = source.slice(nameStart, nameEnd);
    // A read of a named value in the argument of a call that takes a key (its run masked
    // already): text names no value the masks can follow, so any named value may be that key.
    if (flow && name !== "" && paren < lastEnd(spans) && resolver(name)?.names === "read") flow.anyKey = true;
    if (name === "" ? source[nameEnd - 1] !== "." : masking === "keys" && !mayTakeKey(resolver(name))) continue;
    let i = paren + 1;
    while (i < to && (source[i] === " " || source[i] === "\t")) i++;
    const quote = source[i];
    if (quote === '"' || quote === "'") {
      let end: number;
      // Every call is scanned, inside masked text too: a masked run may end on the opening
      // quote of the key that follows (`encodeHmacSha1("x).…encodeHmacSha1("k")`).
      if (unclosed && unclosed.quote === quote && i < unclosed.end) {
        end = unclosed.end;
      } else {
        end = i + 1;
        while (end < to && source[end] !== quote && source[end] !== "\n") end += source[end] === "\\" ? 2 : 1;
        end = Math.min(end, to);
        if (source[end] !== quote || end === to) unclosed = { quote, end };
      }
      push(spans, i + 1, end);
      continue;
    }
    let end: number;
    if (i < closeEnd) {
      // The last scan for ')' started earlier and found none before closeEnd: this one ends there.
      end = closeEnd;
    } else {
      end = i;
      while (end < to && source[end] !== ")" && source[end] !== "\n") end++;
      closeEnd = end;
    }
    push(spans, i, end);
  }
}

/** Where the last span ends (0 when none). */
function lastEnd(spans: readonly Span[]): number {
  const last = spans[spans.length - 1];
  return last === undefined ? 0 : last.offset + last.length;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** What `\w` and `$` match. */
function isNameChar(code: number): boolean {
  return isDigit(code) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36;
}

function mayTakeKey(method: Method | undefined): boolean {
  return method === undefined || method.params.some((p) => p.secret);
}
