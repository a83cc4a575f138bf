// What the editor needs to know of a text, read with the language's own lexer (syntax/lexer.ts):
// where its blocks are, what role each token plays in them (for highlighting), and what the
// cursor stands in (for completion and hover). Nothing here parses: a template being typed is
// broken most of the time, and tokens are what can be trusted in it.
import type { Method } from "../index.ts";
import { type LexedBlock, lexBlocks } from "../syntax/lexer.ts";
import {
  BlockClose,
  BlockOpen,
  Comma,
  Dot,
  Hash,
  Identifier,
  LParen,
  NumberLiteral,
  RParen,
  Semicolon,
  StringLiteral,
  type Token,
  type TokenType,
  UnterminatedString,
} from "../syntax/tokens.ts";

/**
 * Longer texts are left unread when no limit is given: the editor passes the instance's
 * maxTemplateLength, past which nothing would compile anyway, and says so in a notice.
 */
export const MAX_SCANNED = 64 * 1024;

export type Role =
  | "block"
  | "delimiter"
  | "hash"
  | "method"
  | "string"
  | "key"
  | "secretName"
  | "name"
  | "number"
  | "punctuation"
  | "paren"
  | "invalid";

/** A run of the text and the role it plays; offsets in the text. */
export interface Piece {
  from: number;
  to: number;
  role: Role;
}

/** The call whose argument list a token stands directly in, and which argument it is in (from 0). */
export interface ArgumentOf {
  name: string | undefined;
  index: number;
}

export interface ScannedToken {
  from: number;
  to: number;
  type: TokenType;
  image: string;
  /** Undefined outside every argument list. */
  in: ArgumentOf | undefined;
}

export interface ScannedBlock {
  /** The opening `{` or `<`. */
  from: number;
  /** Just past the closer, or the end of the text when the block is never closed. */
  to: number;
  closed: boolean;
  tokens: ScannedToken[];
  /** Characters no token matches. */
  failures: { from: number; to: number }[];
}

const is = (token: ScannedToken | undefined, type: TokenType): boolean =>
  token !== undefined && (token.type === type || (token.type.CATEGORIES ?? []).includes(type));

/** The blocks of a text, as compile() finds them, each token with the argument list it is in. */
export function scanBlocks(text: string, limit = MAX_SCANNED): ScannedBlock[] {
  if (text.length > limit) return [];
  return [...scanFrom(text, 0)];
}

/** The blocks of the text from `start`, a place outside every block, one at a time. */
function* scanFrom(text: string, start: number): Generator<ScannedBlock> {
  const rest = start === 0 ? text : text.slice(start);
  for (const lexed of lexBlocks(rest)) {
    const block = scanOne(lexed);
    if (start !== 0) shift(block, start);
    yield block;
  }
}

function shift(block: ScannedBlock, by: number): void {
  block.from += by;
  block.to += by;
  for (const t of block.tokens) {
    t.from += by;
    t.to += by;
  }
  for (const f of block.failures) {
    f.from += by;
    f.to += by;
  }
}

function scanOne(block: LexedBlock): ScannedBlock {
  const frames: ArgumentOf[] = [];
  const tokens: ScannedToken[] = [];
  let previous: Token | undefined;
  for (const token of block.tokens) {
    const top = frames[frames.length - 1];
    tokens.push({
      from: token.startOffset,
      to: token.startOffset + token.image.length,
      type: token.tokenType,
      image: token.image,
      in: top ? { ...top } : undefined,
    });
    if (token.tokenType === LParen) {
      frames.push({ name: previous?.tokenType === Identifier ? previous.image : undefined, index: 0 });
    } else if (token.tokenType === Comma && top) {
      top.index++;
    } else if (token.tokenType === RParen) {
      frames.pop();
    }
    previous = token;
  }
  const failures = block.failures.map((f) => ({ from: f.offset, to: f.offset + f.length }));
  return { from: block.start, to: block.end, closed: block.closed, tokens, failures };
}

/** Whether the token at i is a whole argument: alone between `(` or `,` and `,` or `)`. */
function wholeArgument(tokens: readonly ScannedToken[], i: number): boolean {
  const before = tokens[i - 1];
  const after = tokens[i + 1];
  return (is(before, LParen) || is(before, Comma)) && (is(after, Comma) || is(after, RParen));
}

/**
 * The roles of a text's pieces, in order. `masked` is the text as redact() gives it (keys mode):
 * a literal it hides is a key, so the highlighting follows the one rule that masks keys
 * everywhere else (src/secrets/masks.ts) instead of a second guess.
 */
export function pieces(text: string, methods: ReadonlyMap<string, Method>, masked?: string): Piece[] {
  const shown = masked !== undefined && masked.length === text.length ? masked : undefined;
  return scanBlocks(text).flatMap((block) => blockPieces(block, methods, text, shown, 0));
}

/** The pieces of one block; `masked` is what redact() gave for the text from `maskedAt` on. */
function blockPieces(
  block: ScannedBlock,
  methods: ReadonlyMap<string, Method>,
  text: string,
  masked: string | undefined,
  maskedAt: number,
): Piece[] {
  const out: Piece[] = [{ from: block.from, to: block.to, role: "block" }];
  block.tokens.forEach((token, i) => {
    const role = roleOf(block.tokens, i, methods, text, masked, maskedAt);
    if (role) out.push({ from: token.from, to: token.to, role });
  });
  for (const failure of block.failures) out.push({ ...failure, role: "invalid" });
  return out;
}

function roleOf(
  tokens: readonly ScannedToken[],
  i: number,
  methods: ReadonlyMap<string, Method>,
  text: string,
  masked: string | undefined,
  maskedAt: number,
): Role | undefined {
  const token = tokens[i] as ScannedToken;
  const type = token.type;
  if (is(token, BlockOpen) || is(token, BlockClose)) return "delimiter";
  if (type === Hash) return "hash";
  if (type === Identifier) return "method";
  if (type === Dot || type === Comma || type === Semicolon) return "punctuation";
  if (type === LParen || type === RParen) return "paren";
  if (type === UnterminatedString) return "invalid";
  if (type === StringLiteral || type === NumberLiteral) {
    if (masked !== undefined && hides(text, masked, maskedAt, token)) return "key";
    if (type === NumberLiteral) return "number";
    const call = token.in;
    const param = call?.name === undefined ? undefined : methods.get(call.name)?.params[call.index];
    if (param?.isName && wholeArgument(tokens, i)) return call?.name === "getSecret" ? "secretName" : "name";
    return "string";
  }
  return undefined;
}

/** Whether redact() put a bullet where the token has none. */
function hides(text: string, masked: string, maskedAt: number, token: ScannedToken): boolean {
  for (let i = token.from; i < token.to; i++) if (masked[i - maskedAt] !== text[i]) return true;
  return false;
}

/** What the cursor stands in, for completion. */
export type Place =
  /** A method's name after a dot: `from` is where the typed part of the name starts. */
  | { kind: "method"; from: number; after: "hash" | "call" | "other"; previous: string | undefined }
  /** Inside a string literal: the call and argument it is in, `from` just past the quote. */
  | { kind: "string"; from: number; quote: string; closed: boolean; in: ArgumentOf | undefined }
  | { kind: "none" };

/** The block a position stands in (between its opener and its closer), if any. */
export function blockAt(blocks: readonly ScannedBlock[], pos: number): ScannedBlock | undefined {
  return blocks.find((b) => b.from < pos && (pos < b.to || (!b.closed && pos === b.to)));
}

/** What stands just before `pos` in the text. */
export function placeAt(text: string, pos: number): Place {
  return placeIn(scanBlocks(text), pos);
}

/** What stands just before `pos`, among blocks already scanned (those around it suffice). */
export function placeIn(blocks: readonly ScannedBlock[], pos: number): Place {
  const block = blockAt(blocks, pos);
  if (!block) return { kind: "none" };
  const before = block.tokens.filter((t) => t.from < pos);
  const last = before[before.length - 1];
  if (!last) return { kind: "none" };
  if (last.type === StringLiteral || last.type === UnterminatedString) {
    const closed = last.type === StringLiteral;
    // Inside the quotes: past the opening one, not past the closing one.
    if (pos > last.from && (closed ? pos < last.to : pos <= last.to)) {
      return { kind: "string", from: last.from + 1, quote: last.image[0] as string, closed, in: last.in };
    }
    return { kind: "none" };
  }
  // A name being typed ends at the cursor; before it (or before the cursor) stands the dot.
  let dot = before.length - 1;
  let from = pos;
  if ((last.type === Identifier || last.type === Hash) && last.to === pos) {
    dot--;
    from = last.from;
  }
  if (before[dot]?.type !== Dot) return { kind: "none" };
  const target = before[dot - 1];
  if (target?.type === Hash) return { kind: "method", from, after: "hash", previous: undefined };
  if (target?.type === RParen) return { kind: "method", from, after: "call", previous: callEndingAt(before, dot - 1) };
  return { kind: "method", from, after: "other", previous: undefined };
}

/** The name of the call whose `)` is tokens[close]. */
function callEndingAt(tokens: readonly ScannedToken[], close: number): string | undefined {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const t = tokens[i] as ScannedToken;
    if (t.type === RParen) depth++;
    else if (t.type === LParen && --depth === 0) {
      const name = tokens[i - 1];
      return name?.type === Identifier ? name.image : undefined;
    }
  }
  return undefined;
}

/** The method name a position is on (`encodeHmacSha1` in `).encodeHmacSha1(`), for hover. */
export function methodNameAt(text: string, pos: number): { from: number; to: number; name: string } | undefined {
  return methodNameIn(scanBlocks(text), pos);
}

/** The method name a position is on, among blocks already scanned (those around it suffice). */
export function methodNameIn(
  blocks: readonly ScannedBlock[],
  pos: number,
): { from: number; to: number; name: string } | undefined {
  const block = blocks.find((b) => b.from <= pos && pos <= b.to);
  if (!block) return undefined;
  const i = block.tokens.findIndex((t) => t.from <= pos && pos <= t.to && t.type === Identifier);
  const token = block.tokens[i];
  if (!token) return undefined;
  const before = block.tokens[i - 1];
  const after = block.tokens[i + 1];
  if (before?.type !== Dot && after?.type !== LParen) return undefined;
  return { from: token.from, to: token.to, name: token.image };
}

// ---------------------------------------------------------------------------------------------
// The scan an editor keeps: updated on each change by reading again only the blocks the change
// touched, and read for the viewport (highlighting) or around the cursor (completion, hover).

/** How the editor reads blocks: the instance's table, its redact(), and its maxTemplateLength. */
export interface BlockReader {
  methods: ReadonlyMap<string, Method>;
  /** The text with its keys masked, or undefined when it cannot be read (too long). */
  redact(text: string): string | undefined;
  limit: number;
}

/** A block and its pieces, their offsets from the block's start, so that a change before it only moves `from`. */
interface Entry {
  from: number;
  block: ScannedBlock;
  pieces: Piece[];
  /** It names a value (hash.let) or reads one (hash.get): its keys may be decided by other blocks. */
  named: boolean;
}

/** The changed range of a transaction: [fromA, toA) of the old text became [fromB, toB) of the new. */
export interface ChangedRange {
  fromA: number;
  toA: number;
  fromB: number;
  toB: number;
}

export class TextScan {
  private constructor(
    private readonly entries: readonly Entry[],
    /** The text was longer than the limit and was not read. */
    readonly skipped: boolean,
    /** How many blocks were lexed to make it (for the tests' work counters). */
    readonly lexed: number,
    /**
     * What of the text was read again by the update that made this scan, in its offsets: the
     * pieces elsewhere are those of the scan before, moved. Undefined when all of it was.
     */
    readonly reread?: { from: number; to: number },
  ) {}

  static of(text: string, reader: BlockReader): TextScan {
    if (text.length > reader.limit) return new TextScan([], true, 0);
    return TextScan.finish(
      text,
      [...scanFrom(text, 0)].map((b) => entryOf(b, text, reader)),
      reader,
      Infinity,
    );
  }

  /** The scan of `text`, which `range` of the text this scan read changed into. */
  update(text: string, range: ChangedRange, reader: BlockReader): TextScan {
    if (text.length > reader.limit) return new TextScan([], true, 0);
    if (this.skipped) return TextScan.of(text, reader);
    const delta = range.toB - range.fromB - (range.toA - range.fromA);
    const old = this.entries;
    // Kept: the blocks closed before the change. A block the change is in, or that is never
    // closed, is read again from its opener; else reading starts where the last kept one ends.
    let j = 0;
    while (j < old.length) {
      const e = old[j] as Entry;
      const to = e.from + e.block.to;
      if (!(e.block.closed && to <= range.fromA)) break;
      j++;
    }
    const kept = old.slice(0, j);
    const next = old[j];
    const last = kept[kept.length - 1];
    const start = next && next.from < range.fromA ? next.from : last ? last.from + last.block.to : 0;
    const read: Entry[] = [];
    for (const block of scanFrom(text, start)) {
      if (block.from >= range.toB) {
        // From an opener past the change the text is the one read before: so are its blocks.
        const k = findFrom(old, j, block.from - delta);
        if (k >= 0) {
          const moved = old.slice(k).map((e) => (delta === 0 ? e : { ...e, from: e.from + delta }));
          return TextScan.finish(text, [...kept, ...read, ...moved], reader, read.length + 1, {
            from: start,
            to: block.from,
          });
        }
      }
      read.push(entryOf(block, text, reader));
    }
    return TextScan.finish(text, [...kept, ...read], reader, read.length, { from: start, to: text.length });
  }

  private static finish(
    text: string,
    entries: Entry[],
    reader: BlockReader,
    lexed: number,
    reread?: { from: number; to: number },
  ): TextScan {
    if (!entries.some((e) => e.named)) return new TextScan(entries, false, lexed, reread);
    // hash.let and hash.get tie blocks together: the keys are those redact() finds in the whole text.
    const masked = reader.redact(text);
    const shown = masked !== undefined && masked.length === text.length ? masked : undefined;
    const all = entries.map((e) => {
      const block = absolute(e);
      return { ...e, pieces: relative(blockPieces(block, reader.methods, text, shown, 0), e.from) };
    });
    return new TextScan(all, false, entries.length);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The blocks that overlap [from, to] (touching counts), with offsets in the text. */
  blocksIn(from: number, to: number): ScannedBlock[] {
    const out: ScannedBlock[] = [];
    for (let i = this.firstEndingAtOrAfter(from); i < this.entries.length; i++) {
      const e = this.entries[i] as Entry;
      if (e.from > to) break;
      out.push(absolute(e));
    }
    return out;
  }

  /** The pieces of the blocks that overlap [from, to], with offsets in the text. */
  piecesIn(from: number, to: number): Piece[] {
    const out: Piece[] = [];
    for (let i = this.firstEndingAtOrAfter(from); i < this.entries.length; i++) {
      const e = this.entries[i] as Entry;
      if (e.from > to) break;
      for (const p of e.pieces) out.push({ from: p.from + e.from, to: p.to + e.from, role: p.role });
    }
    return out;
  }

  private firstEndingAtOrAfter(pos: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const e = this.entries[mid] as Entry;
      if (e.from + e.block.to < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function entryOf(block: ScannedBlock, text: string, reader: BlockReader): Entry {
  const own = text.slice(block.from, block.to);
  let masked: string | undefined;
  try {
    masked = reader.redact(own);
  } catch {
    // A block redact() cannot read: highlighted without telling keys apart.
  }
  const shown = masked !== undefined && masked.length === own.length ? masked : undefined;
  const named = block.tokens.some((t) => t.type === Identifier && reader.methods.get(t.image)?.names !== undefined);
  const found = blockPieces(block, reader.methods, text, shown, block.from);
  return { from: block.from, block: relativeBlock(block), pieces: relative(found, block.from), named };
}

function relative(found: Piece[], by: number): Piece[] {
  return found.map((p) => ({ from: p.from - by, to: p.to - by, role: p.role }));
}

function relativeBlock(block: ScannedBlock): ScannedBlock {
  const copy = structuredCloneBlock(block);
  shift(copy, -block.from);
  return copy;
}

function absolute(e: Entry): ScannedBlock {
  const copy = structuredCloneBlock(e.block);
  shift(copy, e.from);
  return copy;
}

function structuredCloneBlock(block: ScannedBlock): ScannedBlock {
  return {
    from: block.from,
    to: block.to,
    closed: block.closed,
    tokens: block.tokens.map((t) => ({ ...t })),
    failures: block.failures.map((f) => ({ ...f })),
  };
}

/** The index of the entry at or after `start` that opens at `from`, or -1. */
function findFrom(entries: readonly Entry[], start: number, from: number): number {
  let lo = start;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((entries[mid] as Entry).from < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < entries.length && (entries[lo] as Entry).from === from ? lo : -1;
}
