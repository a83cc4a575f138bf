// "Why 403?" before sending: rules over a template's or a request's AST that find what makes a
// signature wrong though every block runs (lint-rules.ts, one entry a rule), and the template's
// own errors, all in one list of diagnostics, masked as errors are. Never run by expand() or
// signRequest(): nothing of the engine imports this.

import type { Secrets } from "../engine/context.ts";
import { compileExpression, isBlockExpression } from "../engine/expression.ts";
import { compileWith, failure } from "../engine/template.ts";
import {
  type ErrorCode,
  type ErrorSpan,
  type Excerpt,
  formatProblem,
  HashHelperError,
  MAX_REPORTED_PROBLEMS,
  type Problem,
  type ProblemReport,
} from "../language/errors.ts";
import type { Limits } from "../language/limits.ts";
import { defaultRules, type Rules, withLimits } from "../language/rules.ts";
import { type Finding, type LintRule, type RuleEntry, ruleTable } from "./lint-rules.ts";
import { type LintPart, modelOf, readPart } from "./lint-source.ts";
import { type RequestTemplate, signRequestWith } from "./sign-request.ts";

/** The stable codes of the lint rules (docs/lint.md); a template's own errors keep their ErrorCode. */
export type LintCode = string;

export type Severity = "error" | "warning" | "info";

/** A replacement that fixes what a diagnostic found: the span of the source to replace, and the text. */
export interface LintFix {
  span: ErrorSpan;
  text: string;
  /** What applying it does, in a few words ("use the same offset as the signature"). */
  title: string;
}

export interface Diagnostic {
  /** A lint rule's code, or for an error of the template (severity "error") its ErrorCode. */
  code: LintCode | ErrorCode;
  severity: Severity;
  message: string;
  hint: string | undefined;
  span: ErrorSpan;
  /** The source line, masked as an error's excerpt is, with where the caret goes. */
  excerpt: Excerpt;
  /** Which part of a request it is in, as a ProblemReport's `where` ("header Authorization"). */
  where?: string;
  fix?: LintFix;
}

export interface LintOptions {
  limits?: Partial<Limits> | undefined;
  /** The secrets the template will be expanded with: their shapes are checked, their values never shown. */
  secrets?: Secrets | undefined;
  /**
   * The input is one expression, bare (`hash.append(…)…`) or as one block, as evaluate() takes
   * it, rather than a template: its errors are evaluate()'s, spans are in its own text, and only
   * the rules that read an expression run (an expression sends nothing: see `expressions` in
   * lintRules).
   */
  expression?: boolean | undefined;
}

export type { LintExample, LintRule } from "./lint-rules.ts";

/** The lint rules by code, in the order docs/lint.md lists them. */
export const lintRules: ReadonlyMap<LintCode, LintRule> = new Map(
  ruleTable.map(({ check: _, ...rule }) => [rule.code, Object.freeze(rule)]),
);

/** lint() against the default instance's rules. */
export function lint(input: string | RequestTemplate, options?: LintOptions): Diagnostic[] {
  return lintWith(defaultRules, input, options);
}

/**
 * The template's (or every part of the request's) errors as diagnostics of severity "error",
 * and what every rule finds in the blocks that parse, in the order of the parts and by offset.
 */
export function lintWith(base: Rules, input: string | RequestTemplate, options?: LintOptions): Diagnostic[] {
  const rules = withLimits(base, options?.limits);
  if (options?.expression === true) return lintExpression(rules, input, options);
  const parts = partsOf(rules, input);
  const errors = errorsOf(rules, input);
  const model = modelOf(rules, parts, typeof input !== "string", secretReader(options?.secrets));
  const findings = new Map<LintPart, { finding: Finding; rule: RuleEntry }[]>();
  // One finding a rule and place: a set, not a search of the part's list each time.
  const kept = new Map<LintPart, Set<string>>();
  for (const rule of ruleTable) {
    for (const finding of rule.check(model)) {
      const list = findings.get(finding.part) ?? [];
      const keys = kept.get(finding.part) ?? new Set<string>();
      const id = `${rule.code}:${finding.offset}`;
      if (!keys.has(id)) list.push({ finding, rule });
      keys.add(id);
      findings.set(finding.part, list);
      kept.set(finding.part, keys);
    }
  }
  const out: Diagnostic[] = [];
  // Errors say their part by its name alone: two headers of one name share theirs.
  const errorsByPart = new Map<string | undefined, ProblemReport[]>();
  for (const e of errors) {
    const list = errorsByPart.get(e.where);
    if (list) list.push(e);
    else errorsByPart.set(e.where, [e]);
  }
  const order = new Map<string | undefined, number>();
  for (const part of parts) {
    if (!order.has(part.where)) {
      order.set(part.where, order.size);
      out.push(...(errorsByPart.get(part.where) ?? []).map(fromError));
    }
    out.push(...diagnosticsOf(rules, part, findings.get(part) ?? []));
  }
  const rank = (d: Diagnostic) => (d.severity === "error" ? 0 : d.severity === "warning" ? 1 : 2);
  const partOf = (d: Diagnostic) => order.get(d.where) ?? -1;
  return out.sort((a, b) => partOf(a) - partOf(b) || a.span.offset - b.span.offset || rank(a) - rank(b));
}

/**
 * One expression: read as the template of one block (`{…;}` around a bare one), with what is found
 * moved back into the expression's own text; what falls on the added braces is dropped.
 */
function lintExpression(rules: Rules, expression: string | RequestTemplate, options: LintOptions): Diagnostic[] {
  if (typeof expression !== "string")
    throw new TypeError("lint() with expression: true takes an expression (a string)");
  const bare = !isBlockExpression(expression);
  const shift = bare ? 1 : 0;
  const part = readPart(rules, "template", undefined, bare ? `{${expression};}` : expression);
  const model = modelOf(rules, [part], false, secretReader(options.secrets));
  const inside = (offset: number, length: number) => offset >= 0 && offset + length <= expression.length;
  const found: { finding: Finding; rule: RuleEntry }[] = [];
  const kept = new Set<string>();
  for (const rule of ruleTable) {
    if (!rule.expressions) continue;
    for (const f of rule.check(model)) {
      const finding: Finding = { ...f, offset: f.offset - shift };
      if (f.fix) finding.fix = { ...f.fix, offset: f.fix.offset - shift };
      if (!inside(finding.offset, finding.length)) continue;
      if (finding.fix && !inside(finding.fix.offset, finding.fix.length)) delete finding.fix;
      const id = `${rule.code}:${finding.offset}`;
      if (!kept.has(id)) found.push({ finding, rule });
      kept.add(id);
    }
  }
  let errors: ProblemReport[] = [];
  try {
    compileExpression(expression, { rules, reveal: false, check: true });
  } catch (e) {
    if (!(e instanceof HashHelperError)) throw e;
    errors = [...e.problems];
  }
  const own: LintPart = { ...part, source: expression };
  const out = [...errors.map(fromError), ...diagnosticsOf(rules, own, found, "expression")];
  const rank = (d: Diagnostic) => (d.severity === "error" ? 0 : d.severity === "warning" ? 1 : 2);
  return out.sort((a, b) => a.span.offset - b.span.offset || rank(a) - rank(b));
}

/** The texts linted: a template, or a request's URL, body and headers, named as signRequest() names them. */
function partsOf(rules: Rules, input: string | RequestTemplate): LintPart[] {
  if (typeof input === "string") return [readPart(rules, "template", undefined, input)];
  if (typeof input !== "object" || input === null || typeof input.url !== "string") {
    throw new TypeError("lint() takes a template (a string) or a request ({ url, method?, headers?, body? })");
  }
  if (input.body !== undefined && typeof input.body !== "string") throw new TypeError("a request's body is a string");
  const parts = [readPart(rules, "url", "URL", input.url)];
  if (input.body !== undefined) parts.push(readPart(rules, "body", "body", input.body));
  const pairs = Array.isArray(input.headers)
    ? (input.headers as readonly (readonly [string, string])[])
    : Object.entries(input.headers ?? {});
  for (const [name, value] of pairs) {
    if (typeof value !== "string") throw new TypeError("a request's header values are strings");
    parts.push(readPart(rules, "header", `header ${name}`, value));
  }
  return parts;
}

/** What compiling the template, or the request, reports: every problem, masked, each saying its part. */
function errorsOf(rules: Rules, input: string | RequestTemplate): ProblemReport[] {
  try {
    if (typeof input === "string") compileWith(rules, input, { reveal: false });
    // Signing with a runner that runs nothing compiles every part, in the order of their reads,
    // and evaluates nothing: no clock, secret or request is needed.
    else signRequestWith(rules, input, undefined, () => "");
    return [];
  } catch (e) {
    if (e instanceof HashHelperError) return [...e.problems];
    throw e;
  }
}

function fromError(p: ProblemReport): Diagnostic {
  const d: Diagnostic = {
    code: p.code,
    severity: "error",
    message: p.message,
    hint: p.hint,
    span: p.span,
    excerpt: p.excerpt,
  };
  if (p.where !== undefined) d.where = p.where;
  return d;
}

/** Findings of one part as diagnostics: spans with lines and columns, excerpts masked as an error's are. */
function diagnosticsOf(
  rules: Rules,
  part: LintPart,
  found: { finding: Finding; rule: RuleEntry }[],
  shape: "template" | "expression" = "template",
): Diagnostic[] {
  if (found.length === 0) return [];
  const sorted = [...found].sort((a, b) => a.finding.offset - b.finding.offset).slice(0, MAX_REPORTED_PROBLEMS);
  // The code is the rule's: HashHelperError.from() only carries it through.
  const problems: Problem[] = sorted.map(({ finding, rule }) => ({
    code: rule.code as ErrorCode,
    message: finding.message,
    hint: finding.hint,
    offset: finding.offset,
    length: finding.length,
  }));
  const reports = failure(part.source, problems, { reveal: false, shape, rules }).problems;
  const where = positions(part.source);
  return reports.map((report, i) => {
    const { finding, rule } = sorted[i] as { finding: Finding; rule: RuleEntry };
    const d: Diagnostic = {
      code: rule.code,
      severity: rule.severity,
      message: report.message,
      hint: report.hint,
      span: report.span,
      excerpt: report.excerpt,
    };
    if (part.where !== undefined) d.where = part.where;
    if (finding.fix) {
      const { line, column } = where(finding.fix.offset);
      d.fix = {
        span: { offset: finding.fix.offset, line, column, length: finding.fix.length },
        text: finding.fix.text,
        title: finding.fix.title,
      };
    }
    return d;
  });
}

/**
 * position() for many offsets of one source: its line breaks found once, each offset's line by
 * binary search, where position() walks the lines before it each time.
 */
function positions(source: string): (offset: number) => { line: number; column: number } {
  let breaks: number[] | undefined;
  return (offset) => {
    if (!breaks) {
      breaks = [];
      for (let i = source.indexOf("\n"); i !== -1; i = source.indexOf("\n", i + 1)) breaks.push(i);
    }
    let lo = 0;
    let hi = breaks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((breaks[mid] as number) < offset) lo = mid + 1;
      else hi = mid;
    }
    const lineStart = lo === 0 ? 0 : (breaks[lo - 1] as number) + 1;
    return { line: lo + 1, column: offset - lineStart + 1 };
  };
}

/** hash.getSecret()'s lookup, for the rules that check a secret's shape (never its value shown). */
function secretReader(secrets: Secrets | undefined): (name: string) => string | undefined {
  if (secrets === undefined) return () => undefined;
  const read = (name: string): unknown => {
    if (typeof secrets === "function") return secrets(name);
    if (secrets instanceof Map) return secrets.get(name);
    return Object.hasOwn(secrets, name) ? (secrets as Readonly<Record<string, string>>)[name] : undefined;
  };
  return (name) => {
    try {
      const value = read(name);
      return typeof value === "string" ? value : undefined;
    } catch {
      // A host's lookup that throws is the expansion's business; lint only reads shapes.
      return undefined;
    }
  };
}

/**
 * Diagnostics as a person reads them, each drawn as HashHelperError.format() draws a problem (its
 * severity and code, the masked line, the caret, the hint, and its fix's title), separated by a
 * blank line. No count: a shell words its own summary.
 */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], options: { color?: boolean } = {}): string {
  if (!Array.isArray(diagnostics)) throw new TypeError("formatDiagnostics() takes the array lint() gives");
  return diagnostics
    .map((d) => formatProblem(d, { color: options?.color === true, severity: d.severity, fix: d.fix?.title }))
    .join("\n\n");
}
