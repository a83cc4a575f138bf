import type { Span } from "./ast.ts";

/** Every error code, stable across versions: hosts and tests match on these, not on messages. */
export const errorCodes = [
  // lexer
  "UNEXPECTED_CHARACTER",
  "UNTERMINATED_STRING",
  "INVALID_ESCAPE",
  "INVALID_NUMBER",
  // parser
  "SYNTAX_ERROR",
  "MISSING_SEMICOLON",
  "UNCLOSED_BLOCK",
  "NOT_AN_EXPRESSION",
  // checker
  "UNKNOWN_METHOD",
  "ARGUMENT_COUNT",
  "ARGUMENT_KIND",
  "INPUT_KIND",
  "MISPLACED_METHOD",
  "AFTER_PRINT_DIGEST",
  "MISSING_PRINT_DIGEST",
  "RESULT_KIND",
  "INVALID_ARGUMENT",
  "MASKED_LITERAL",
  // evaluation
  "MISSING_SECRET",
  "REQUEST_UNAVAILABLE",
  "MISSING_HEADER",
  "DATE_OUT_OF_RANGE",
  "HOST_FUNCTION",
  // signing a request
  "HEADER_CYCLE",
  "INVALID_HEADER_VALUE",
  // limits
  "LIMIT_EXCEEDED",
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** A problem as the stages find it: offsets into the source, nothing else from it. */
export interface Problem {
  code: ErrorCode;
  message: string;
  offset: number;
  length: number;
  hint?: string | undefined;
}

/** Where an error is: `line` and `column` count from 1, in UTF-16 code units like `offset`. */
export interface ErrorSpan {
  offset: number;
  line: number;
  column: number;
  length: number;
}

/** The source line of a problem with key arguments already masked, and where the caret goes. */
export interface Excerpt {
  text: string;
  caretColumn: number;
  caretLength: number;
}

export interface ProblemReport {
  code: ErrorCode;
  message: string;
  span: ErrorSpan;
  hint: string | undefined;
  excerpt: Excerpt;
  /** Which text of several the problem is in, such as "header Authorization" in a signed request. */
  where?: string;
}

/** What a key argument is shown as: a string literal, so a redacted template still parses. */
export const MASK = '"••••••"';

/**
 * How many problems one error reports in full. A template typed to cause thousands of problems
 * must not make an error of megabytes; the rest are counted in `omitted`.
 */
export const MAX_REPORTED_PROBLEMS = 100;

/**
 * Every mistake in a template surfaces as this one error type. When a template has several
 * problems they are all in `problems` (the first MAX_REPORTED_PROBLEMS of them, in source
 * order, with the number of the rest in `omitted`), and the error's own fields repeat the first.
 * The error holds no raw source text: excerpts are masked when the error is made, so no
 * key argument reaches a log through `message`, `stack`, `JSON.stringify` or `util.inspect`.
 */
export class HashHelperError extends Error {
  override readonly name = "HashHelperError";
  readonly code: ErrorCode;
  readonly span: ErrorSpan;
  readonly hint: string | undefined;
  readonly excerpt: Excerpt;
  readonly problems: readonly ProblemReport[];
  readonly omitted: number;

  constructor(problems: readonly ProblemReport[], omitted = 0) {
    const first = problems[0];
    if (!first) throw new TypeError("HashHelperError needs at least one problem");
    super(first.message);
    this.code = first.code;
    this.span = first.span;
    this.hint = first.hint;
    this.excerpt = first.excerpt;
    this.problems = problems;
    this.omitted = omitted;
  }

  /**
   * @param source the text the problems were found in
   * @param masks spans of key arguments, shown as `••••••` in the excerpt
   */
  static from(source: string, problems: readonly Problem[], masks: readonly Span[] = []): HashHelperError {
    const sorted = [...problems].sort((a, b) => a.offset - b.offset);
    const shown = sorted.slice(0, MAX_REPORTED_PROBLEMS);
    const merged = mergeSpans(masks);
    // Problems are in offset order, so one pass over the source finds every line and column.
    let line = 1;
    let lineStart = 0;
    const reports = shown.map((p) => {
      const offset = Math.min(Math.max(p.offset, 0), source.length);
      for (let i = source.indexOf("\n", lineStart); i !== -1 && i < offset; i = source.indexOf("\n", i + 1)) {
        line++;
        lineStart = i + 1;
      }
      return report(source, p, offset, line, lineStart, merged);
    });
    return new HashHelperError(reports, sorted.length - shown.length);
  }

  /** The problems as a person reads them: message, source line, caret, hint. */
  format(options: { color?: boolean } = {}): string {
    const paint = options.color ? ansi : plain;
    const blocks = this.problems.map((p) => formatProblem(p, paint));
    const total = this.problems.length + this.omitted;
    if (this.omitted > 0) blocks.push(`… and ${this.omitted} more`);
    if (total > 1) blocks.push(`${total} problems`);
    return blocks.join("\n\n");
  }
}

type Paint = (style: keyof typeof codes, text: string) => string;
const codes = { red: 31, cyan: 36, dim: 2, bold: 1 } as const;
const ansi: Paint = (style, text) => `\x1b[${codes[style]}m${text}\x1b[0m`;
const plain: Paint = (_style, text) => text;

function formatProblem(p: ProblemReport, paint: Paint): string {
  const gutter = String(p.span.line);
  const pad = " ".repeat(gutter.length);
  const lines = [
    `${paint("red", `error[${p.code}]`)} ${paint("bold", p.message)}`,
    `${pad} ${paint("dim", "-->")} ${p.where ? `${p.where}, ` : ""}line ${p.span.line}, column ${p.span.column}`,
    `${paint("dim", `${gutter} |`)} ${p.excerpt.text}`,
    `${paint("dim", `${pad} |`)} ${" ".repeat(p.excerpt.caretColumn)}${paint("red", "^".repeat(p.excerpt.caretLength))}`,
  ];
  if (p.hint) lines.push(`${pad} ${paint("cyan", "= hint:")} ${p.hint}`);
  return lines.join("\n");
}

// What a quoted name must not carry raw: C0 and C1 controls (ESC starts a terminal sequence, a
// line break forges an error line), line and paragraph separators, invisible format and bidi
// characters, the quote and the backslash themselves.
const UNSAFE_IN_NAME = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff'\\]/g;
const NAME_SHOWN = 64;

/**
 * A name (a secret's, a header's, a date pattern) as a message or hint quotes it: in single
 * quotes, with every unsafe character escaped as JavaScript would (`\n`, `\u001b`), and cut
 * short when long. Messages quote names and nothing else.
 */
export function quoteName(name: string): string {
  const cut = name.length > NAME_SHOWN ? name.slice(0, NAME_SHOWN) : name;
  const escaped = cut.replace(UNSAFE_IN_NAME, (c) => {
    if (c === "'" || c === "\\") return `\\${c}`;
    if (c === "\n") return "\\n";
    if (c === "\t") return "\\t";
    if (c === "\r") return "\\r";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return `'${escaped}${cut === name ? "" : "…"}'`;
}

/** Line and column (both from 1) of an offset. */
export function position(source: string, offset: number): { line: number; column: number; lineStart: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = source.indexOf("\n"); i !== -1 && i < offset; i = source.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1, lineStart };
}

/** Spans in offset order with overlapping and touching ones joined, as excerpts need them. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.length > 0).sort((a, b) => a.offset - b.offset);
  const merged: Span[] = [];
  for (const span of sorted) {
    const last = merged[merged.length - 1];
    if (last && span.offset <= last.offset + last.length) {
      last.length = Math.max(last.length, span.offset + span.length - last.offset);
    } else {
      merged.push({ ...span });
    }
  }
  return merged;
}

// Long template lines (a URL is often 300 characters) are cut to a window around the caret.
const CONTEXT = 40;

function report(
  source: string,
  p: Problem,
  offset: number,
  line: number,
  lineStart: number,
  masks: readonly Span[],
): ProblemReport {
  const column = offset - lineStart + 1;
  let lineEnd = source.indexOf("\n", lineStart);
  if (lineEnd === -1) lineEnd = source.length;
  if (source[lineEnd - 1] === "\r") lineEnd--;
  return {
    code: p.code,
    message: p.message,
    span: { offset, line, column, length: p.length },
    hint: p.hint,
    excerpt: excerpt(source, lineStart, lineEnd, offset, Math.max(1, p.length), masks),
  };
}

/**
 * The part of the line around the caret, with masked spans replaced. The window is chosen in
 * source offsets and widened to whole masks, so it never shows part of a key, and the work is
 * bounded by the window, not by the length of the line.
 */
function excerpt(
  source: string,
  lineStart: number,
  lineEnd: number,
  offset: number,
  length: number,
  masks: readonly Span[],
): Excerpt {
  const caretEnd = Math.min(offset + length, Math.max(lineEnd, offset + 1));
  const short = lineEnd - lineStart <= CONTEXT * 2.5;
  let from = short ? lineStart : Math.max(lineStart, offset - CONTEXT);
  let to = short ? lineEnd : Math.min(lineEnd, caretEnd + CONTEXT);
  const inWindow = masks.filter((m) => m.length > 0 && m.offset < to && m.offset + m.length > from);
  for (const m of inWindow) {
    from = Math.min(from, Math.max(m.offset, lineStart));
    to = Math.max(to, Math.min(m.offset + m.length, lineEnd));
  }
  inWindow.sort((a, b) => a.offset - b.offset);

  let text = from > lineStart ? "…" : "";
  let caretColumn = -1;
  let caretEndColumn = -1;
  let m = 0;
  for (let i = from; i < to; ) {
    const mask = inWindow[m];
    if (i === offset) caretColumn = text.length;
    if (mask && i >= mask.offset) {
      const end = Math.min(mask.offset + mask.length, to);
      if (offset > i && offset < end) caretColumn = text.length;
      text += MASK;
      if (caretEnd > i && caretEnd <= end) caretEndColumn = text.length;
      i = end;
      m++;
      continue;
    }
    const ch = source.charCodeAt(i);
    // Control characters would move the caret out of line on a terminal.
    text += ch < 0x20 || ch === 0x7f ? " " : source[i];
    i++;
    if (i === caretEnd) caretEndColumn = text.length;
  }
  if (caretColumn === -1) caretColumn = text.length;
  if (caretEndColumn <= caretColumn) caretEndColumn = caretColumn + 1;
  if (to < lineEnd) text += "…";
  return { text, caretColumn, caretLength: caretEndColumn - caretColumn };
}
