import { createToken, Lexer, type TokenType } from "chevrotain";

/** A token as the lexer gives it, and its type: what the layers above the syntax may look at. */
export type { IToken as Token, TokenType } from "chevrotain";

// A block opener is `{` or `<` whose content starts with `hash.` (whitespace allowed around
// the tokens); every other brace belongs to the surrounding text. The look-ahead is a plain
// scan rather than a regex look-ahead so chevrotain can still index the token by its first char.
// `first`: only at the start of the input, for the mode that lexes one block (see modes.block).
function opener(char: string, first = false) {
  const code = char.charCodeAt(0);
  return (text: string, offset: number): RegExpExecArray | null =>
    text.charCodeAt(offset) === code && !(first && offset > 0) && opensBlock(text, offset)
      ? ([char] as unknown as RegExpExecArray)
      : null;
}

/** Whether the `{` or `<` at `offset` opens a block: `hash` and `.` follow, spaces allowed. */
export function opensBlock(text: string, offset: number): boolean {
  let i = skipSpace(text, offset + 1);
  if (!text.startsWith("hash", i)) return false;
  i = skipSpace(text, i + 4);
  return text.charCodeAt(i) === 46 /* . */;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i;
}

// Token labels are what error messages show: a kind, never the token's text, because the
// text of a string literal can be an API key.

export const BlockOpen = createToken({ name: "BlockOpen", pattern: Lexer.NA, label: "the start of a block" });
export const BraceOpen = createToken({
  name: "BraceOpen",
  pattern: { exec: opener("{") },
  start_chars_hint: ["{"],
  line_breaks: false,
  categories: BlockOpen,
  push_mode: "brace",
  label: "'{'",
});
export const AngleOpen = createToken({
  name: "AngleOpen",
  pattern: { exec: opener("<") },
  start_chars_hint: ["<"],
  line_breaks: false,
  categories: BlockOpen,
  push_mode: "angle",
  label: "'<'",
});
// Everything up to the next `{` or `<`, or that one character when it opens no block.
const TEXT_RUN = /[^{<]+|[{<]/y;
export const Text = createToken({
  name: "Text",
  pattern: {
    exec: (text: string, offset: number) => {
      TEXT_RUN.lastIndex = offset;
      return TEXT_RUN.exec(text);
    },
  },
  line_breaks: true,
  label: "text",
});

// The mode that lexes one block of a template and stops (src/syntax/lexer.ts, tokenizeBlock): an
// opener only at the start, then after the block's closer the rest of the input in one token,
// so that no character after the block is scanned.
export const FirstBraceOpen = createToken({
  name: "FirstBraceOpen",
  pattern: { exec: opener("{", true) },
  start_chars_hint: ["{"],
  line_breaks: false,
  categories: BlockOpen,
  push_mode: "brace",
  label: "'{'",
});
export const FirstAngleOpen = createToken({
  name: "FirstAngleOpen",
  pattern: { exec: opener("<", true) },
  start_chars_hint: ["<"],
  line_breaks: false,
  categories: BlockOpen,
  push_mode: "angle",
  label: "'<'",
});
export const Rest = createToken({
  name: "Rest",
  pattern: { exec: (text: string, offset: number) => [text.slice(offset)] as unknown as RegExpExecArray },
  line_breaks: true,
  label: "text",
});

export const BlockClose = createToken({ name: "BlockClose", pattern: Lexer.NA, label: "the end of the block" });
export const BraceClose = createToken({
  name: "BraceClose",
  pattern: "}",
  categories: BlockClose,
  pop_mode: true,
  label: "'}'",
});
export const AngleClose = createToken({
  name: "AngleClose",
  pattern: ">",
  categories: BlockClose,
  pop_mode: true,
  label: "'>'",
});

// start_chars_hint spares chevrotain from analysing each regex when the lexer is built, which
// is most of the CLI's start-up; test/lexer/lexer.test.ts checks every hint against its regex.
const LETTERS = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"];
const DIGITS = [..."0123456789"];
// What \s matches in JavaScript.
const SPACES = [
  ..."\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff",
];

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /\s+/,
  start_chars_hint: SPACES,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
// A raw line break ends a string literal: `\n` is the way to put one inside it, and an
// unterminated string then stops at the end of its line instead of swallowing the template.
export const StringLiteral = createToken({
  name: "StringLiteral",
  // The "unrolled loop" form of "(?:[^"\\]|\\.)*": the same strings, without an alternation
  // a character, which made a 1 MiB literal slow to match and heavy on the collector.
  pattern:
    /"[^"\\\r\n\u2028\u2029]*(?:\\[^\r\n\u2028\u2029][^"\\\r\n\u2028\u2029]*)*"|'[^'\\\r\n\u2028\u2029]*(?:\\[^\r\n\u2028\u2029][^'\\\r\n\u2028\u2029]*)*'/,
  start_chars_hint: ['"', "'"],
  label: "a string",
});
// Without this token chevrotain re-scans an unclosed string from every following character,
// which is quadratic in the length of the input.
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /["'][^\\\r\n\u2028\u2029]*(?:\\[^\r\n\u2028\u2029][^\\\r\n\u2028\u2029]*)*\\?/,
  start_chars_hint: ['"', "'"],
  label: "an unterminated string",
});
// Anything number-like is one token so that `240.5`, `1e20` and `0x10` get one clear error
// ("not a whole number") from the AST builder instead of a confusing parse error. A '.' joins
// the token only before a digit: in `240.encodeHmacSha1(…)` (a ')' forgotten) the method name
// must stay a token of its own, or its key argument would not be recognised and masked.
export const NumberLiteral = createToken({
  name: "NumberLiteral",
  pattern: /-?[0-9][0-9A-Za-z_]*(?:\.[0-9][0-9A-Za-z_]*)*/,
  start_chars_hint: ["-", ...DIGITS],
  label: "a number",
});
export const Identifier = createToken({
  name: "Identifier",
  pattern: /[A-Za-z_$][A-Za-z0-9_$]*/,
  start_chars_hint: [...LETTERS, "_", "$"],
  label: "a name",
});
export const Hash = createToken({
  name: "Hash",
  pattern: /hash/,
  start_chars_hint: ["h"],
  longer_alt: Identifier,
  label: "'hash'",
});
export const Dot = createToken({ name: "Dot", pattern: ".", label: "'.'" });
export const LParen = createToken({ name: "LParen", pattern: "(", label: "'('" });
export const RParen = createToken({ name: "RParen", pattern: ")", label: "')'" });
export const Comma = createToken({ name: "Comma", pattern: ",", label: "','" });
export const Semicolon = createToken({ name: "Semicolon", pattern: ";", label: "';'" });

const expressionTokens: TokenType[] = [
  WhiteSpace,
  StringLiteral,
  UnterminatedString,
  NumberLiteral,
  Hash,
  Identifier,
  Dot,
  LParen,
  RParen,
  Comma,
  Semicolon,
];

export const modes = {
  /** Template text: blocks are found here. */
  text: [BraceOpen, AngleOpen, Text],
  /** Inside `{hash…;}`. */
  brace: [...expressionTokens, BraceClose],
  /** Inside `<hash…;>`. */
  angle: [...expressionTokens, AngleClose],
  /** A bare expression given to evaluate() or parse(), without a block around it. */
  bare: expressionTokens,
  /** One block at the start of the input, and the rest unread (see Rest). */
  block: [FirstBraceOpen, FirstAngleOpen, Rest],
} satisfies Record<string, TokenType[]>;

export type Mode = keyof typeof modes;

/** Every token type the parser sees, categories included. */
export const allTokens: TokenType[] = [
  BlockOpen,
  BraceOpen,
  AngleOpen,
  FirstBraceOpen,
  FirstAngleOpen,
  Text,
  Rest,
  BlockClose,
  BraceClose,
  AngleClose,
  ...expressionTokens,
];
