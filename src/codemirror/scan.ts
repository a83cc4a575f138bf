// What the editor needs to know of a text, read with the language's own lexer (syntax/lexer.ts):
// where its blocks are, what role each token plays in them (for highlighting), and what the
// cursor stands in (for completion and hover). Nothing here parses: a template being typed is
// broken most of the time, and tokens are what can be trusted in it.
import type { Method } from "../index.ts";
import { lexBlocks } from "../syntax/lexer.ts";
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

/** Longer texts are left unhighlighted: an editor field holds a URL or a request, not megabytes. */
export const MAX_SCANNED = 256 * 1024;

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
export function scanBlocks(text: string): ScannedBlock[] {
  if (text.length > MAX_SCANNED) return [];
  const blocks: ScannedBlock[] = [];
  for (const block of lexBlocks(text)) {
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
    blocks.push({ from: block.start, to: block.end, closed: block.closed, tokens, failures });
  }
  return blocks;
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
  const out: Piece[] = [];
  for (const block of scanBlocks(text)) {
    out.push({ from: block.from, to: block.to, role: "block" });
    block.tokens.forEach((token, i) => {
      const role = roleOf(block.tokens, i, methods, text, masked);
      if (role) out.push({ from: token.from, to: token.to, role });
    });
    for (const failure of block.failures) out.push({ ...failure, role: "invalid" });
  }
  return out;
}

function roleOf(
  tokens: readonly ScannedToken[],
  i: number,
  methods: ReadonlyMap<string, Method>,
  text: string,
  masked: string | undefined,
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
    if (masked !== undefined && hides(text, masked, token)) return "key";
    if (type === NumberLiteral) return "number";
    const call = token.in;
    const param = call?.name === undefined ? undefined : methods.get(call.name)?.params[call.index];
    if (param?.isName && wholeArgument(tokens, i)) return call?.name === "getSecret" ? "secretName" : "name";
    return "string";
  }
  return undefined;
}

/** Whether redact() put a bullet where the token has none. */
function hides(text: string, masked: string, token: ScannedToken): boolean {
  if (masked.length !== text.length) return false;
  for (let i = token.from; i < token.to; i++) if (masked[i] !== text[i]) return true;
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
  const block = blockAt(scanBlocks(text), pos);
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
  const block = blocksAround(text, pos);
  if (!block) return undefined;
  const i = block.tokens.findIndex((t) => t.from <= pos && pos <= t.to && t.type === Identifier);
  const token = block.tokens[i];
  if (!token) return undefined;
  const before = block.tokens[i - 1];
  const after = block.tokens[i + 1];
  if (before?.type !== Dot && after?.type !== LParen) return undefined;
  return { from: token.from, to: token.to, name: token.image };
}

function blocksAround(text: string, pos: number): ScannedBlock | undefined {
  return scanBlocks(text).find((b) => b.from <= pos && pos <= b.to);
}
