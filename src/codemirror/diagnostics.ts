// Every error and lint warning of the text at its span, with its hint, and a lint rule's fix as
// an action, through @codemirror/lint. lint() reports a template's errors as diagnostics too;
// compile() is asked as well when lint() finds no error, so that an error is never missed.
import { type Action, type Diagnostic as EditorDiagnostic, linter } from "@codemirror/lint";
import { type Extension, StateEffect } from "@codemirror/state";
import type { Diagnostic, RequestTemplate } from "../index.ts";
import { problemsOf, type Resolved } from "./options.ts";

/** Asks the diagnostics and the live value to be computed again (the secrets or the clock changed). */
export const refreshEffect = StateEffect.define<null>();

/** The diagnostics of a text, with offsets in it. */
export function diagnose(text: string, resolved: Resolved): EditorDiagnostic[] {
  const { helper } = resolved;
  const secrets = resolved.secrets();
  let request: RequestTemplate | undefined;
  try {
    request = resolved.request?.(text);
  } catch {
    // The host could not read a request from the text: lint it as a template.
  }
  let found: Diagnostic[] = [];
  let place: (d: Diagnostic) => number | undefined = () => 0;
  try {
    if (request) {
      found = helper.lint(request, { secrets });
      place = partPlaces(text, request);
    } else {
      found = helper.lint(text, { secrets });
    }
  } catch {
    // Only a TypeError for an argument of the wrong type: compile() below says what is wrong.
  }
  if (!request && !found.some((d) => d.severity === "error")) {
    try {
      helper.compile(text);
    } catch (e) {
      const problems = problemsOf(e);
      if (!problems) throw e;
      found = [...problems.map((p): Diagnostic => ({ ...p, severity: "error" })), ...found];
    }
  }
  const out: EditorDiagnostic[] = [];
  for (const d of found) {
    const base = place(d);
    if (base === undefined) continue;
    const from = Math.min(base + d.span.offset, text.length);
    const to = Math.min(from + Math.max(d.span.length, 0), text.length);
    out.push(toEditor(d, from, to, base));
  }
  return out;
}

function toEditor(d: Diagnostic, from: number, to: number, base: number): EditorDiagnostic {
  const diagnostic: EditorDiagnostic = {
    from,
    to,
    severity: d.severity,
    source: d.code,
    // Underlined by our theme: @codemirror/lint's own underline is a data: image, which a
    // Content-Security-Policy without img-src data: refuses.
    markClass: "cm-hh-lint",
    message: d.hint ? `${d.message}\n${d.hint}` : d.message,
    renderMessage: () => {
      const dom = document.createElement("div");
      dom.append(d.message);
      if (d.hint) {
        const hint = dom.appendChild(document.createElement("div"));
        hint.className = "cm-hh-hint";
        hint.textContent = d.hint;
      }
      return dom;
    },
  };
  const fix = d.fix;
  if (fix) {
    const action: Action = {
      name: fix.title,
      apply: (view) => {
        const start = Math.min(base + fix.span.offset, view.state.doc.length);
        const end = Math.min(start + fix.span.length, view.state.doc.length);
        view.dispatch({ changes: { from: start, to: end, insert: fix.text }, userEvent: "input.fix" });
      },
    };
    diagnostic.actions = [action];
  }
  return diagnostic;
}

/**
 * Where each part of a request stands in the text, found by its own text, in the order a
 * `.http` request writes them (request line, headers, body); a diagnostic of a part that is not
 * in the editor (a header the host keeps in another field) has no place and is not shown here.
 */
function partPlaces(text: string, request: RequestTemplate): (d: Diagnostic) => number | undefined {
  const places = new Map<string, number>();
  let from = 0;
  const locate = (where: string, part: string) => {
    if (part === "" || places.has(where)) return;
    const at = text.indexOf(part, from);
    if (at < 0) return;
    places.set(where, at);
    from = at + part.length;
  };
  locate("URL", request.url);
  const headers = Array.isArray(request.headers)
    ? (request.headers as readonly (readonly [string, string])[])
    : Object.entries(request.headers ?? {});
  for (const [name, value] of headers) locate(`header ${name}`, value);
  if (request.body !== undefined) locate("body", request.body);
  return (d) => (d.where === undefined ? 0 : places.get(d.where));
}

export function diagnostics(resolved: Resolved): Extension {
  return linter((view) => diagnose(view.state.doc.toString(), resolved), {
    delay: resolved.lintDelay,
    needsRefresh: (update) => update.transactions.some((tr) => tr.effects.some((e) => e.is(refreshEffect))),
  });
}
