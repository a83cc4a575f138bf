// SKELETON (the lead's interface for issue 14; the lint helper fills it in). "Why 403?" before
// sending: rules over a template's or a request's AST that find what makes a signature wrong
// though every block runs. Never run by expand() or signRequest().

import type { Secrets } from "../engine/context.ts";
import type { ErrorCode, ErrorSpan, Excerpt } from "../language/errors.ts";
import type { Limits } from "../language/limits.ts";
import type { RequestTemplate } from "./sign-request.ts";

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
}

export function lint(_input: string | RequestTemplate, _options?: LintOptions): Diagnostic[] {
  return [];
}

/** Diagnostics as a person reads them, drawn as HashHelperError.format() draws problems. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], _options: { color?: boolean } = {}): string {
  return diagnostics.map((d) => `${d.severity} ${d.code}: ${d.message}`).join("\n\n");
}
