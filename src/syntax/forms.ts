// How a source reads, from its first characters and its tokens: the questions the shells and an
// editor ask of text as it is typed. Its declarations name no chevrotain type, so the package's
// public types need no chevrotain.
import { tokenMatcher } from "chevrotain";
import { tokenize } from "./lexer.ts";
import { UnterminatedString } from "./tokens.ts";

const BARE = /^\s*hash\s*\./;
const BLOCK = /^\s*[{<]/;

/**
 * Whether an expression given to evaluate() is written as a block (`{hash…;}`, `<hash…;>`),
 * whose own rules then apply, rather than bare (`hash.…`, or a mistake in one such as `hash`).
 */
export function isBlockForm(expression: string): boolean {
  return BLOCK.test(expression);
}

/**
 * Whether a source is a bare expression (`hash` and `.` first, spaces allowed) rather than a
 * template: the one rule the REPL, evaluate() and the masks read a source by.
 */
export function isExpression(source: string): boolean {
  return BARE.test(source);
}

/**
 * The strings a source leaves open (`"abc` to the end of its line), as spans from the quote to
 * the line's end: what an editor, or the REPL going on over several lines, needs to know.
 */
export function unterminatedStrings(source: string): { offset: number; length: number }[] {
  const { tokens } = tokenize(source, isExpression(source) ? "bare" : "text");
  return tokens
    .filter((t) => tokenMatcher(t, UnterminatedString))
    .map((t) => ({ offset: t.startOffset, length: t.image.length }));
}
