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
  "UNDEFINED_NAME",
  "DUPLICATE_NAME",
  "READ_CYCLE",
  // evaluation
  "MISSING_SECRET",
  "REQUEST_UNAVAILABLE",
  "MISSING_HEADER",
  "DATE_OUT_OF_RANGE",
  "HOST_FUNCTION",
  "INVALID_KEY",
  "UNSUPPORTED_IN_BROWSER",
  "INVALID_ENCODING",
  "RANDOM_SOURCE",
  // signing a request
  "HEADER_CYCLE",
  "INVALID_HEADER_VALUE",
  "INVALID_URL_VALUE",
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

/** The source line of a problem, masked and made safe for a terminal, and where the caret goes. */
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

/**
 * What a masked code unit of source text is shown as (src/secrets/masks.ts): one bullet for each, so a
 * masked line keeps its width and the caret under it needs no adjustment. A masked string
 * literal keeps its quotes, and the checker refuses a literal of bullets (MASKED_LITERAL).
 */
export const BULLET = "\u2022";

/** What a trace shows for a value from a key or a secret: fixed, so it tells nothing of its length. */
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
 * literal's text reaches a log through `message`, `stack`, `JSON.stringify` or `util.inspect`.
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
   * @param masks spans of the source to show masked in excerpts (src/secrets/masks.ts), a bullet a code unit
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
    const blocks = this.problems.map((p) => formatProblem(p, options));
    const total = this.problems.length + this.omitted;
    if (this.omitted > 0) blocks.push(`… and ${this.omitted} more`);
    if (total > 1) blocks.push(`${total} problems`);
    return blocks.join("\n\n");
  }
}

/**
 * Makes `instanceof` of a class of the API know instances made by another copy of the package.
 * On Node, dist/index.js loads the rest of the package with require(), and a loader that
 * compiles required files itself (tsx, a test runner's module runner) loads a second copy of
 * the classes they share: without this, an error thrown by one copy is no instance of the
 * class imported from the other. The brand is on the prototype, a registered symbol, and only
 * the class itself checks it: `instanceof` a subclass is the usual prototype check.
 */
export function shareInstanceof(cls: abstract new (...args: never[]) => object, name: string): void {
  const brand = Symbol.for(`hash-helper.${name}`);
  Object.defineProperty(cls.prototype, brand, { value: true });
  Object.defineProperty(cls, Symbol.hasInstance, {
    value(this: unknown, value: unknown): boolean {
      if (this !== cls) return Function.prototype[Symbol.hasInstance].call(this, value);
      return typeof value === "object" && value !== null && (value as { [k: symbol]: unknown })[brand] === true;
    },
  });
}
shareInstanceof(HashHelperError, "HashHelperError");

type Paint = (style: keyof typeof codes, text: string) => string;
const codes = { red: 31, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
const ansi: Paint = (style, text) => `\x1b[${codes[style]}m${text}\x1b[0m`;
const plain: Paint = (_style, text) => text;

/** A problem, or a lint diagnostic (src/features/lint.ts), as formatProblem() draws it. */
export type DrawnProblem = Omit<ProblemReport, "code"> & { code: string };

/**
 * One problem as a person reads it: message, source line, caret, hint. A lint diagnostic has its
 * severity ("error" by default) and may add the title of its fix.
 */
export function formatProblem(
  p: DrawnProblem,
  options: { color?: boolean | undefined; severity?: "error" | "warning" | "info"; fix?: string | undefined } = {},
): string {
  const paint = options.color ? ansi : plain;
  const severity = options.severity ?? "error";
  const tone = severity === "error" ? "red" : severity === "warning" ? "yellow" : "cyan";
  const gutter = String(p.span.line);
  const pad = " ".repeat(gutter.length);
  const lines = [
    `${paint(tone, `${severity}[${p.code}]`)} ${paint("bold", p.message)}`,
    `${pad} ${paint("dim", "-->")} ${p.where ? `${p.where}, ` : ""}line ${p.span.line}, column ${p.span.column}`,
    `${paint("dim", `${gutter} |`)} ${p.excerpt.text}`,
    `${paint("dim", `${pad} |`)} ${" ".repeat(p.excerpt.caretColumn)}${paint(tone, "^".repeat(p.excerpt.caretLength))}`,
  ];
  if (p.hint) lines.push(`${pad} ${paint("cyan", "= hint:")} ${p.hint}`);
  if (options.fix) lines.push(`${pad} ${paint("cyan", "= fix:")} ${options.fix}`);
  return lines.join("\n");
}

// What no text from a source reaches a terminal with: C0 and C1 controls (ESC starts a terminal
// sequence, a line break forges an error line), DEL, line and paragraph separators, and the
// invisible format and bidi characters that hide or reorder what follows. A string of escapes,
// since the linter takes controls in a regex literal for a mistake.
const UNSAFE =
  "\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff";
// A quoted name escapes those, and its quote and the backslash.
const UNSAFE_IN_NAME = new RegExp(`[${UNSAFE}'\\\\]`, "g");
// An excerpt shows each of them as a space, which keeps the line's width.
const UNSAFE_IN_EXCERPT = new RegExp(`[${UNSAFE}]`, "g");
const NAME_SHOWN = 64;

/**
 * A name (a secret's, a header's, a date pattern) as a message or hint quotes it: in single
 * quotes, with every unsafe character escaped as JavaScript would (`\n`, `\u001b`), and cut
 * short when long. Messages quote names and nothing else.
 */
export function quoteName(name: string): string {
  if (!isShownName(name)) return NOT_SHOWN;
  return `'${escapeText(name, NAME_SHOWN)}'`;
}

/**
 * Whether a name may be shown at all. One that holds a '(' may be calls a stray quote swallowed
 * into the name's string, keys and all (`getSecret("moz).encodeHmacSha1('k').append(")`):
 * src/secrets/masks.ts masks it in excerpts, and messages do not quote it.
 */
export function isShownName(name: string): boolean {
  return !name.includes("(");
}

const NOT_SHOWN = `«a name that holds "(", not shown»`;

/** Text as a message may hold it: unsafe characters escaped as JavaScript would, cut short past `max`. */
export function escapeText(text: string, max: number): string {
  const cut = text.length > max ? text.slice(0, max) : text;
  const escaped = cut.replace(UNSAFE_IN_NAME, (c) => {
    if (c === "'" || c === "\\") return `\\${c}`;
    if (c === "\n") return "\\n";
    if (c === "\t") return "\\t";
    if (c === "\r") return "\\r";
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return `${escaped}${cut === text ? "" : "…"}`;
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
 * The part of the line around the caret, with masked spans shown as bullets. Masks and the
 * replaced characters keep the source's width, so the caret's column is its offset in the
 * window; the work is bounded by the window, not by the length of the line.
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
  let to = short ? lineEnd : Math.min(lineEnd, Math.min(caretEnd, offset + CONTEXT * 2) + CONTEXT);
  // A cut never splits a surrogate pair.
  if (from > lineStart && isLowSurrogate(source.charCodeAt(from))) from--;
  if (to < lineEnd && isLowSurrogate(source.charCodeAt(to))) to++;

  let text = from > lineStart ? "…" : "";
  // A problem on the LF of a CRLF stands just past the line, as one at its end does.
  const caret = Math.min(offset, lineEnd);
  const caretColumn = text.length + caret - from;
  let at = from;
  for (let m = firstEndingAfter(masks, from); m < masks.length && at < to; m++) {
    const mask = masks[m] as Span;
    if (mask.offset >= to) break;
    const start = Math.max(mask.offset, at);
    const end = Math.min(mask.offset + mask.length, to);
    text += safe(source.slice(at, start)) + BULLET.repeat(end - start);
    at = end;
  }
  text += safe(source.slice(at, to));
  if (to < lineEnd) text += "…";
  return { text, caretColumn, caretLength: Math.max(1, Math.min(caretEnd, to) - caret) };
}

function safe(text: string): string {
  return text.replace(UNSAFE_IN_EXCERPT, " ");
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** The index of the first of the sorted, disjoint spans that ends after `offset`. */
function firstEndingAfter(spans: readonly Span[], offset: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const span = spans[mid] as Span;
    if (span.offset + span.length <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
