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
  let place: (d: Diagnostic) => Place | undefined = () => identity;
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
    const map = place(d);
    if (map === undefined) continue;
    const [from, to] = spanIn(map, d.span.offset, d.span.length, text.length);
    out.push(toEditor(d, from, to, map));
  }
  return out;
}

/** Offsets in a part to offsets in the editor's text. */
type Place = (offset: number) => number;
const identity: Place = (offset) => offset;

/** A span of a part as [from, to) in a text of `length`: its last character mapped, so a span over a line break covers it. */
function spanIn(map: Place, offset: number, length: number, size: number): [number, number] {
  const from = Math.min(map(offset), size);
  const to = length > 0 ? Math.min(map(offset + length - 1) + 1, size) : from;
  return [from, Math.max(from, to)];
}

function toEditor(d: Diagnostic, from: number, to: number, map: Place): EditorDiagnostic {
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
        const [start, end] = spanIn(map, fix.span.offset, fix.span.length, view.state.doc.length);
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
 * A part is found as it is written, or over the line breaks and indentation of a `.http` URL
 * continued on indented lines (which the format joins, each line trimmed).
 */
function partPlaces(text: string, request: RequestTemplate): (d: Diagnostic) => Place | undefined {
  const places = new Map<string, Place>();
  let from = 0;
  const locate = (where: string, part: string) => {
    if (part === "" || places.has(where)) return;
    const found = locatePart(text, part, from);
    if (!found) return;
    places.set(where, found.map);
    from = found.end;
  };
  locate("URL", request.url);
  const headers = Array.isArray(request.headers)
    ? (request.headers as readonly (readonly [string, string])[])
    : Object.entries(request.headers ?? {});
  for (const [name, value] of headers) locate(`header ${name}`, value);
  if (request.body !== undefined) locate("body", request.body);
  return (d) => (d.where === undefined ? identity : places.get(d.where));
}

/** How many places a folded part is tried at before it is given up (each try is one pass over the part). */
const FOLD_TRIES = 64;

/** Where `part` stands in `text` from `from` on, exactly or folded over lines; undefined when it is not there. */
export function locatePart(text: string, part: string, from: number): { map: Place; end: number } | undefined {
  const at = text.indexOf(part, from);
  if (at >= 0) return { map: (o) => at + o, end: at + part.length };
  const first = part[0] as string;
  let start = text.indexOf(first, from);
  for (let tries = 0; start >= 0 && tries < FOLD_TRIES; tries++) {
    const folded = walkFolded(text, part, start);
    if (folded) return folded;
    start = text.indexOf(first, start + 1);
  }
  return undefined;
}

/** The part read from `start`, where the text may break a line (and indent the next) between any two of its characters. */
function walkFolded(text: string, part: string, start: number): { map: Place; end: number } | undefined {
  // Each run of the part that stands unbroken in the text: [offset in the part, offset in the text].
  const runs: [number, number][] = [[0, start]];
  let i = 0;
  let j = start;
  while (i < part.length) {
    if (text[j] === part[i]) {
      i++;
      j++;
      continue;
    }
    let k = j;
    while (text[k] === " " || text[k] === "\t") k++;
    if (text[k] === "\r") k++;
    if (text[k] !== "\n" || i === 0) return undefined;
    k++;
    while (text[k] === " " || text[k] === "\t") k++;
    j = k;
    runs.push([i, j]);
  }
  const map: Place = (o) => {
    let r = runs.length - 1;
    while (r > 0 && (runs[r] as [number, number])[0] > o) r--;
    const [partAt, textAt] = runs[r] as [number, number];
    return textAt + (o - partAt);
  };
  return { map, end: j };
}

export function diagnostics(resolved: Resolved): Extension {
  return linter((view) => diagnose(view.state.doc.toString(), resolved), {
    delay: resolved.lintDelay,
    needsRefresh: (update) => update.transactions.some((tr) => tr.effects.some((e) => e.is(refreshEffect))),
  });
}
