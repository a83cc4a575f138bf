// The live value: the text expanded (debounced) on every change with the host's clock, secrets
// and request, and shown with its trace in a panel under the editor, or given to a callback.
// It goes through explain(), so keys and what secrets built are masked in the output and in every
// step, as in any trace; the panel writes text nodes only.
import { type Extension, StateEffect, StateField } from "@codemirror/state";
import { type EditorView, type Panel, showPanel, ViewPlugin, type ViewUpdate } from "@codemirror/view";
import {
  type ExplainedStep,
  type Explanation,
  methods,
  type RequestExplanation,
  type SignedRequest,
} from "../index.ts";
import { refreshEffect } from "./diagnostics.ts";
import { type LiveValue, problemsOf, type Resolved } from "./options.ts";

/** The value of the text, as a trace shows it. */
export function liveValue(text: string, resolved: Resolved): LiveValue {
  const { helper } = resolved;
  const now = resolved.live.now?.();
  const secrets = resolved.secrets();
  try {
    const request = resolved.request?.(text);
    if (request) {
      const explanation = helper.explainRequest(request, { now, secrets });
      return { kind: "request", output: explanation.signed, explanation };
    }
    const explanation = helper.explain(text, { now, secrets });
    return { kind: "template", output: explanation.result, explanation };
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    return { kind: "error", error, problems: problemsOf(e) ?? [] };
  }
}

/** One step of a trace, as a row of a table: nested chains under the argument they feed. */
export interface TraceRow {
  /** The part of a request ("URL", "header Authorization"); undefined for a template. */
  where: string | undefined;
  /** The block's number in its part, from 1. */
  block: number;
  /** 0 for a step of the block's chain, 1 for a step of a chain nested in an argument, and so on. */
  depth: number;
  /** The call as written, keys masked: `encodeHmacSha1("••••••")`. */
  call: string;
  kind: string;
  /** The value after the call, as a trace previews it (masked when secret). */
  preview: string;
}

export function traceRows(explanation: Explanation | RequestExplanation): TraceRow[] {
  const parts = "parts" in explanation ? explanation.parts : [{ where: undefined, blocks: explanation.blocks }];
  const rows: TraceRow[] = [];
  const add = (where: string | undefined, block: number, depth: number, steps: readonly ExplainedStep[]) => {
    for (const step of steps) {
      for (const arg of step.args) if (arg.steps) add(where, block, depth + 1, arg.steps);
      rows.push({ where, block, depth, call: step.call, kind: step.value.kind, preview: step.value.preview });
    }
  };
  for (const part of parts) {
    part.blocks.forEach((b, i) => {
      add(part.where, i + 1, 0, b.steps);
    });
  }
  return rows;
}

/** A signed request as `hash-helper sign` prints one: the request line, the headers, a blank line, the body. */
export function formatRequest(request: SignedRequest): string {
  const headers = Array.isArray(request.headers)
    ? (request.headers as readonly (readonly [string, string])[])
    : Object.entries(request.headers);
  const head = [`${request.method} ${request.url}`, ...headers.map(([name, value]) => `${name}: ${value}`)];
  return request.body === undefined ? head.join("\n") : `${head.join("\n")}\n\n${request.body}`;
}

/** What the panel draws: the output, or the error and its hint, and the trace. */
export function renderLiveValue(dom: HTMLElement, value: LiveValue | undefined): void {
  dom.replaceChildren();
  if (!value) return;
  if (value.kind === "error") {
    const problems = value.problems.length > 0 ? value.problems : [{ message: value.error.message, hint: undefined }];
    for (const p of problems) {
      const line = dom.appendChild(document.createElement("div"));
      line.className = "cm-hh-live-error";
      line.textContent = p.hint ? `${p.message} — ${p.hint}` : p.message;
    }
    return;
  }
  const output = dom.appendChild(document.createElement("pre"));
  output.className = "cm-hh-live-output";
  output.textContent = value.kind === "request" ? formatRequest(value.output) : value.output;
  const rows = traceRows(value.explanation);
  if (rows.length === 0) return;
  const table = dom.appendChild(document.createElement("table"));
  table.className = "cm-hh-trace";
  for (const row of rows.slice(0, MAX_TRACE_ROWS)) {
    const tr = table.appendChild(document.createElement("tr"));
    const cells = [row.where ?? `block ${row.block}`, `${"  ".repeat(row.depth)}${row.call}`, row.kind, row.preview];
    for (const text of cells) tr.appendChild(document.createElement("td")).textContent = text;
  }
  if (rows.length > MAX_TRACE_ROWS) {
    const more = dom.appendChild(document.createElement("div"));
    more.className = "cm-hh-live-more";
    more.textContent = `… and ${rows.length - MAX_TRACE_ROWS} more steps`;
  }
}

/** The panel shows the first steps of a trace: thousands of rows cost more to draw than to compute. */
export const MAX_TRACE_ROWS = 500;

/** The package's methods that read the clock; a host's own function may too (it is given `now`). */
const CLOCK_METHODS = ["getExpiryTime", "getEpochMillis", "getDate"];

/** Whether a text's value may change with the clock alone: it calls a method that reads it. */
function readsClock(resolved: Resolved): (text: string) => boolean {
  const own = [...resolved.helper.methods.values()].filter((m) => methods.get(m.name) !== m).map((m) => m.name);
  const names = [...CLOCK_METHODS, ...own].map((n) => n.replace(/\$/g, () => "\\$"));
  const call = new RegExp(`\\.\\s*(?:${names.join("|")})\\s*\\(`);
  return (text) => call.test(text);
}

const instant = (at: Date | number | undefined) => (at instanceof Date ? at.getTime() : at);

export function live(resolved: Resolved): Extension {
  const { setValue, field } = valueState();
  const clockIn = readsClock(resolved);
  const plugin = ViewPlugin.fromClass(
    class {
      timer: ReturnType<typeof setTimeout> | undefined;
      ticker: ReturnType<typeof setInterval> | undefined;
      /** What the last value was computed from: the text, and the frozen instant (undefined: running). */
      ran: { doc: unknown; now: number | undefined; clock: boolean } | undefined;
      /** What the last run cost, in milliseconds: the debounce is never shorter, so a large text is not expanded on every pause. */
      cost = 0;
      constructor(readonly view: EditorView) {
        this.schedule(0);
        const every = resolved.live.refresh;
        if (every !== undefined && every > 0) this.ticker = setInterval(() => this.tick(), every);
      }
      update(update: ViewUpdate) {
        const asked = update.transactions.some((tr) => tr.effects.some((e) => e.is(refreshEffect)));
        if (asked) {
          this.ran = undefined;
          this.schedule(0);
        } else if (update.docChanged) {
          this.schedule(Math.max(resolved.live.delay, Math.min(2 * this.cost, 2000)));
        }
      }
      schedule(delay: number) {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.run(), delay);
      }
      /**
       * The clock's tick: a value is computed again only when it can differ, which is when the
       * frozen instant moved or the clock runs and the text reads it. Idle on a frozen clock, nothing runs.
       */
      tick() {
        const ran = this.ran;
        if (!ran || ran.doc !== this.view.state.doc) return;
        const now = instant(resolved.live.now?.());
        if (now !== undefined ? now === ran.now : !ran.clock) return;
        this.run();
      }
      run() {
        const doc = this.view.state.doc;
        const now = instant(resolved.live.now?.());
        const text = doc.toString();
        const started = performance.now();
        const value = liveValue(text, resolved);
        this.cost = performance.now() - started;
        this.ran = { doc, now, clock: clockIn(text) };
        if (resolved.live.panel) this.view.dispatch({ effects: setValue.of(value) });
        resolved.live.onValue?.(value);
      }
      destroy() {
        clearTimeout(this.timer);
        clearInterval(this.ticker);
      }
    },
  );
  return resolved.live.panel ? [plugin, field] : plugin;
}

function valueState() {
  const setValue = StateEffect.define<LiveValue>();
  const field = StateField.define<LiveValue | undefined>({
    create: () => undefined,
    update: (value, tr) => {
      for (const e of tr.effects) if (e.is(setValue)) return e.value;
      return value;
    },
    provide: (f) => showPanel.from(f, () => panel(f)),
  });
  return { setValue, field };
}

function panel(field: StateField<LiveValue | undefined>) {
  return (view: EditorView): Panel => {
    const dom = document.createElement("div");
    dom.className = "cm-hh-live";
    let shown: LiveValue | undefined;
    const draw = (value: LiveValue | undefined) => {
      if (value === shown) return;
      shown = value;
      renderLiveValue(dom, value);
    };
    draw(view.state.field(field));
    return { dom, update: (update) => draw(update.state.field(field)) };
  };
}
