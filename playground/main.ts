// The playground's page. Secrets live in `secrets` below and nowhere else: never in the URL,
// storage or a request; every place that shows them shows a mask. The editor is mounted in a
// shadow root, where CodeMirror's styles go into a constructed style sheet, which a
// Content-Security-Policy of `default-src 'self'` allows (in the document it would write a
// <style> element, which that policy refuses).
import { closeBrackets, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { EditorView, keymap } from "@codemirror/view";
import { formatRequest, hashHelper, type LiveValue, refreshHashHelper, traceRows } from "../src/codemirror/index.ts";
import { type Diagnostic, defaultHelper, type RequestTemplate } from "../src/index.ts";
import { recipes } from "./recipes.ts";
import { CurlRefused, curlOf, requestOf } from "./request.ts";
import { sharedTemplate, shareFragment } from "./share.ts";

/**
 * The package's instance, each call the page makes through it counted: the browser test reads
 * `window.playground.work` to check that an idle page with a frozen clock computes nothing.
 */
const work = { explain: 0, explainRequest: 0, lint: 0, redact: 0 };
/** The function, each call counted under `name`. */
function counted<F extends (...args: never[]) => unknown>(name: keyof typeof work, f: F): F {
  return ((...args: Parameters<F>) => {
    work[name]++;
    return f(...args);
  }) as F;
}
const helper: typeof defaultHelper = {
  ...defaultHelper,
  explain: counted("explain", defaultHelper.explain),
  explainRequest: counted("explainRequest", defaultHelper.explainRequest),
  lint: counted("lint", defaultHelper.lint),
  redact: counted("redact", defaultHelper.redact),
};
const secrets = new Map<string, string>();
/** Bumped when a secret is added or removed: what lint() found is computed again then. */
let secretsVersion = 0;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const nowInput = $<HTMLInputElement>("now");
const output = $<HTMLPreElement>("output");
const problems = $<HTMLDivElement>("diagnostics");
const trace = $<HTMLTableElement>("trace");
const clock = $<HTMLSpanElement>("clock");

/** The README's quick start: Moz's signed URL, its key written in the template. */
const MOZ =
  "https://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2fblog?Cols=4&AccessID=mozscape-b6838361ee" +
  "&Expires={hash.getExpiryTime(240);}" +
  '&Signature={hash.append("mozscape-b6838361ee").appendNewLine().append(hash.getExpiryTime(240))' +
  '.encodeHmacSha1("0123456789abcdef0123456789abcdef").encodeBase64().encodeURL().printDigest();}';

/** The clock: empty for now, else an instant (ISO 8601 or epoch milliseconds) it stays frozen at. */
function now(): number | undefined {
  const text = nowInput.value.trim();
  if (text === "") return undefined;
  const at = /^-?\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(at) ? at : undefined;
}

/** The request the editor's text writes, or undefined for a template; an unreadable .http line throws. */
function request(text: string): RequestTemplate | undefined {
  return requestOf(text);
}

/** The trace table shows its first rows: thousands cost more to draw than to compute. */
const MAX_ROWS = 500;

function render(value: LiveValue, text: string): void {
  clock.textContent = "";
  if (value.kind === "error") {
    output.textContent = "";
    output.classList.add("failed");
  } else {
    output.classList.remove("failed");
    output.textContent = value.kind === "request" ? formatRequest(value.output) : value.output;
    clock.textContent = `expanded at ${new Date(value.explanation.now).toISOString()}`;
  }
  const body = trace.tBodies[0] as HTMLTableSectionElement;
  body.replaceChildren();
  if (value.kind !== "error") {
    const rows = traceRows(value.explanation);
    for (const row of rows.slice(0, MAX_ROWS)) {
      const tr = body.insertRow();
      const cells = [
        row.where ?? `block ${row.block}`,
        `${"\u00a0\u00a0".repeat(row.depth)}${row.call}`,
        row.kind,
        row.preview,
      ];
      for (const cell of cells) tr.insertCell().textContent = cell;
    }
    if (rows.length > MAX_ROWS) {
      const cell = body.insertRow().insertCell();
      cell.colSpan = 4;
      cell.textContent = `… and ${rows.length - MAX_ROWS} more steps`;
    }
  }
  renderProblems(value, text);
}

/** What lint() found for a text and the secrets as they were: a new value of the same text (the clock moved) lints nothing. */
let linted: { text: string; secrets: number; found: Diagnostic[] } | undefined;
function lintOf(text: string): Diagnostic[] {
  if (linted?.text === text && linted.secrets === secretsVersion) return linted.found;
  let found: Diagnostic[] = [];
  try {
    const r = request(text);
    found = r ? helper.lint(r, { secrets }) : helper.lint(text, { secrets });
  } catch {
    // A line of the request that is not .http: the live value says which.
  }
  linted = { text, secrets: secretsVersion, found };
  return found;
}

/** Every error and warning with its caret (as formatDiagnostics() draws them), and what stopped the expansion. */
function renderProblems(value: LiveValue, text: string): void {
  let found = lintOf(text);
  if (value.kind === "error") {
    const known = (p: { code: string; span: { offset: number }; where?: string | undefined }) =>
      found.some((d) => d.code === p.code && d.span.offset === p.span.offset && d.where === p.where);
    const extra = value.problems.filter((p) => !known(p)).map((p): Diagnostic => ({ ...p, severity: "error" }));
    found = [...extra, ...found];
  }
  problems.replaceChildren();
  if (value.kind === "error" && value.problems.length === 0) {
    const line = problems.appendChild(document.createElement("pre"));
    line.className = "error";
    line.textContent = value.error.message;
  }
  for (const d of found) {
    const pre = problems.appendChild(document.createElement("pre"));
    pre.className = d.severity;
    pre.textContent = helper.formatDiagnostics([d]);
  }
  if (problems.childElementCount === 0) problems.textContent = "No problems.";
}

// The editor, in a shadow root (see the top of this file).
const host = $<HTMLDivElement>("template");
const root = host.attachShadow({ mode: "open" });
const fromLink = sharedTemplate(location.hash);
const view = new EditorView({
  parent: root,
  doc: fromLink ?? MOZ,
  extensions: [
    history(),
    closeBrackets(),
    keymap.of([...completionKeymap, ...defaultKeymap, ...historyKeymap]),
    EditorView.lineWrapping,
    hashHelper({
      helper,
      secrets: () => secrets,
      request,
      live: {
        panel: false,
        now,
        delay: 150,
        refresh: 1000,
        onValue: (value) => render(value, view.state.doc.toString()),
      },
    }),
    EditorView.theme({
      "&": { border: "1px solid #b8bfcc", borderRadius: "4px", backgroundColor: "#fff", fontSize: "14px" },
      "&.cm-focused": { outline: "2px solid #5b7bd5" },
      ".cm-content": { fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace", minHeight: "8em" },
      ".cm-scroller": { fontFamily: "inherit" },
    }),
  ],
});

nowInput.addEventListener("input", () => refreshHashHelper(view));
// For the browser test: the work counted, and the editor (its text; the secrets are not in it).
Object.assign(window, { playground: { work, view } });

// Secrets: a name and a value, the value read once from its field, which is then cleared.
const secretList = $<HTMLUListElement>("secret-list");
function renderSecrets(): void {
  secretList.replaceChildren();
  for (const name of [...secrets.keys()].sort()) {
    const item = secretList.appendChild(document.createElement("li"));
    const label = item.appendChild(document.createElement("code"));
    label.textContent = name;
    item.append(" = ••••••");
    const remove = item.appendChild(document.createElement("button"));
    remove.type = "button";
    remove.textContent = "remove";
    remove.addEventListener("click", () => {
      secrets.delete(name);
      secretsVersion++;
      renderSecrets();
      refreshHashHelper(view);
    });
  }
}
$<HTMLFormElement>("secret-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $<HTMLInputElement>("secret-name");
  const value = $<HTMLInputElement>("secret-value");
  if (name.value.trim() === "") return;
  secrets.set(name.value.trim(), value.value);
  secretsVersion++;
  name.value = "";
  value.value = "";
  renderSecrets();
  refreshHashHelper(view);
});

// Examples: the recipes' requests.
const examples = $<HTMLSelectElement>("examples");
for (const recipe of recipes) {
  const option = examples.appendChild(document.createElement("option"));
  option.value = recipe.id;
  option.textContent = recipe.title;
}
examples.addEventListener("change", () => {
  const recipe = recipes.find((r) => r.id === examples.value);
  if (!recipe) return;
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: recipe.request } });
});

// The share link: the template in the fragment, with every key argument redacted.
const shareNote = $<HTMLSpanElement>("share-note");
$<HTMLButtonElement>("share").addEventListener("click", () => {
  const shared = shareFragment(view.state.doc.toString(), helper);
  const field = $<HTMLInputElement>("share-link");
  if (!shared.ok) {
    field.value = "";
    shareNote.textContent = shared.reason;
    window.history.replaceState(null, "", `${location.pathname}${location.search}`);
    return;
  }
  shareNote.textContent = "";
  field.value = `${location.origin}${location.pathname}#${shared.fragment}`;
  window.history.replaceState(null, "", `#${shared.fragment}`);
});

// Copy as curl: signed at the click, with the real secrets, straight to the clipboard; never shown.
const copied = $<HTMLSpanElement>("copied");
$<HTMLButtonElement>("curl").addEventListener("click", async () => {
  try {
    const text = view.state.doc.toString();
    const r = request(text);
    const options = { now: now(), secrets };
    const signed = r
      ? helper.signRequest(r, options)
      : { method: "GET", url: helper.expand(text, options), headers: [], body: undefined };
    await navigator.clipboard.writeText(curlOf(signed));
    copied.textContent = "copied";
  } catch (e) {
    copied.textContent =
      e instanceof CurlRefused
        ? `not copied: ${e.message}`
        : e instanceof Error && e.name === "HashHelperError"
          ? "the template has an error"
          : "could not copy";
  }
});
