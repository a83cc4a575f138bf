// hash-helper/codemirror: the language in a CodeMirror 6 editor. One extension, hashHelper(),
// with highlighting, completion, hover, diagnostics and the live value; the parts are exported
// too, for a host that wants only some of them.

import type { CompletionSource } from "@codemirror/autocomplete";
import { autocompletion } from "@codemirror/autocomplete";
import type { Diagnostic as EditorDiagnostic } from "@codemirror/lint";
import { EditorState, type Extension } from "@codemirror/state";
import type { EditorView } from "@codemirror/view";
import { completionSource } from "./complete.ts";
import { diagnose, diagnostics, refreshEffect } from "./diagnostics.ts";
import { highlighting, scanState } from "./highlight.ts";
import { hover } from "./hover.ts";
import { live, liveValue } from "./live.ts";
import { type HashHelperEditorOptions, type LiveValue, resolve } from "./options.ts";

export { formatRequest, renderLiveValue, type TraceRow, traceRows } from "./live.ts";
export type { HashHelperEditorOptions, LiveOptions, LiveValue, SecretValues } from "./options.ts";

/**
 * The extension: blocks highlighted inside any text, completion of method names (and of secret
 * names after `getSecret("`), hover docs, every error and lint warning under its characters,
 * and, with `live`, the value as it is typed. Its completion joins the editor's autocompletion
 * if there is one (`override` of autocompletion() excepted, which replaces every source).
 */
export function hashHelper(options: HashHelperEditorOptions = {}): Extension {
  const resolved = resolveChecked(options);
  const scan = scanState(resolved);
  const source = completionSource(resolved, scan);
  return [
    highlighting(resolved, scan),
    autocompletion(),
    // As language data, so that it adds to a host's own sources instead of replacing them.
    languageDataCompletion(source),
    hover(resolved, scan),
    diagnostics(resolved),
    resolved.liveOn ? live(resolved) : [],
  ];
}

/**
 * Computes the diagnostics and the live value again now: for a host whose secrets, clock or
 * request changed while the text did not.
 */
export function refreshHashHelper(view: EditorView): void {
  view.dispatch({ effects: refreshEffect.of(null) });
}

/** The completion source alone, for a host that lists its sources in autocompletion({ override }). */
export function hashHelperCompletions(options: HashHelperEditorOptions = {}): CompletionSource {
  return completionSource(resolveChecked(options));
}

/** The diagnostics the extension shows for a text, offsets in it: for a host that lints elsewhere too. */
export function hashHelperDiagnostics(text: string, options: HashHelperEditorOptions = {}): EditorDiagnostic[] {
  return diagnose(text, resolveChecked(options));
}

/** The live value of a text once, now: what the panel shows and the callback gets. */
export function hashHelperValue(text: string, options: HashHelperEditorOptions = {}): LiveValue {
  return liveValue(text, resolveChecked(options));
}

function resolveChecked(options: HashHelperEditorOptions) {
  if (options === null || typeof options !== "object") throw new TypeError("hashHelper() takes an options object");
  return resolve(options);
}

function languageDataCompletion(source: ReturnType<typeof completionSource>): Extension {
  return EditorState.languageData.of(() => [{ autocomplete: source }]);
}
