// Highlighting of the blocks inside any text, from our tokens (scan.ts): a view plugin of mark
// decorations rather than a language, so that it works beside whatever language the field has
// (none for a URL, JSON for a body). Each piece gets a class of its own (`cm-hh-method`…) and the
// class the editor's highlight style gives the matching @lezer/highlight tag, so a host's theme
// colours our tokens as it colours its own.
import { defaultHighlightStyle, highlightingFor, syntaxHighlighting } from "@codemirror/language";
import { type EditorState, type Extension, StateEffect, StateField } from "@codemirror/state";
import {
  Decoration,
  type DecorationSet,
  EditorView,
  type Panel,
  showPanel,
  ViewPlugin,
  type ViewUpdate,
} from "@codemirror/view";
import { type Tag, tags } from "@lezer/highlight";
import type { Resolved } from "./options.ts";
import { type BlockReader, type Role, TextScan } from "./scan.ts";

const tagOf: Record<Role, Tag | undefined> = {
  block: undefined,
  delimiter: tags.special(tags.brace),
  hash: tags.keyword,
  method: tags.function(tags.propertyName),
  string: tags.string,
  key: tags.special(tags.string),
  secretName: tags.special(tags.variableName),
  name: tags.labelName,
  number: tags.number,
  punctuation: tags.punctuation,
  paren: tags.paren,
  invalid: tags.invalid,
};

/** The class names of a role: ours, and the highlight style's for its tag. */
function classOf(state: EditorState, role: Role): string {
  const tag = tagOf[role];
  const styled = tag ? highlightingFor(state, [tag]) : null;
  return styled ? `cm-hh-${role} ${styled}` : `cm-hh-${role}`;
}

/** The scan of the editor's text, kept up to date change by change (scan.ts, TextScan.update). */
export function scanState(resolved: Resolved): StateField<TextScan> {
  const { helper } = resolved;
  const reader: BlockReader = {
    methods: helper.methods,
    limit: helper.limits.maxTemplateLength,
    redact: (text) => {
      try {
        return helper.redact(text);
      } catch {
        return undefined;
      }
    },
  };
  return StateField.define<TextScan>({
    create: (state) => TextScan.of(state.doc.toString(), reader),
    update: (scan, tr) => {
      if (!tr.docChanged) return scan;
      const range = { fromA: Number.POSITIVE_INFINITY, toA: -1, fromB: Number.POSITIVE_INFINITY, toB: -1 };
      tr.changes.iterChangedRanges((fromA, toA, fromB, toB) => {
        range.fromA = Math.min(range.fromA, fromA);
        range.toA = Math.max(range.toA, toA);
        range.fromB = Math.min(range.fromB, fromB);
        range.toB = Math.max(range.toB, toB);
      });
      return scan.update(tr.newDoc.toString(), range, reader);
    },
  });
}

/** The marks of one state's roles, made once (the class names depend on the state's highlight style). */
function marksOf(state: EditorState): (role: Role) => Decoration {
  const marks = new Map<Role, Decoration>();
  return (role) => {
    let found = marks.get(role);
    if (!found) {
      found = Decoration.mark({ class: classOf(state, role) });
      marks.set(role, found);
    }
    return found;
  };
}

function rangesOf(scan: TextScan, from: number, to: number, mark: (role: Role) => Decoration) {
  const ranges = [];
  for (const p of scan.piecesIn(from, to)) if (p.to > p.from) ranges.push(mark(p.role).range(p.from, p.to));
  return ranges;
}

/** Part of the text, [from, to]. */
interface Window {
  from: number;
  to: number;
}

/**
 * The part of the text to decorate: the viewport, and within it what is on the screen with a
 * screen above and below. CodeMirror's viewport is made of whole lines, and a line wrapped over a
 * thousand rows (a 60 KB URL) is in it whole: thousands of marks in one paragraph, which the
 * browser lays out again on every keystroke. Until it is measured, around the cursor.
 */
const GUESS = 8000;
const setWindow = StateEffect.define<Window>();

function decorate(view: EditorView, field: StateField<TextScan>, window: Window | undefined): DecorationSet {
  const scan = view.state.field(field);
  const mark = marksOf(view.state);
  const head = view.state.selection.main.head;
  const within = window ?? { from: head - GUESS, to: head + GUESS };
  const ranges = view.visibleRanges.flatMap(({ from, to }) => {
    const a = Math.max(from, within.from);
    const b = Math.min(to, within.to);
    return a <= b ? rangesOf(scan, a, b, mark) : [];
  });
  return Decoration.set(ranges, true);
}

/**
 * After a change the scan re-read: the decorations before it, moved, with those of what was
 * re-read replaced, so that the rest of the text keeps its DOM.
 */
function redecorate(
  update: ViewUpdate,
  field: StateField<TextScan>,
  before: DecorationSet,
  window: Window | undefined,
): DecorationSet | undefined {
  const scan = update.state.field(field);
  const reread = scan.reread;
  if (!reread || !window || update.viewportChanged || update.transactions.length !== 1) return undefined;
  const inView = update.view.visibleRanges;
  const from = Math.max(reread.from, inView[0]?.from ?? 0, window.from);
  const to = Math.min(reread.to, inView[inView.length - 1]?.to ?? 0, window.to);
  const mark = marksOf(update.state);
  const add =
    from <= to ? rangesOf(scan, from, to, mark).filter((r) => r.from >= reread.from && r.to <= reread.to) : [];
  return before.map(update.changes).update({
    filterFrom: reread.from,
    filterTo: reread.to,
    filter: (f, t) => f < reread.from || t > reread.to,
    add,
    sort: true,
  });
}

/** What is on the screen (`inner`), and that with a screen's height above and below (`outer`). */
function measureWindow(view: EditorView): { inner: Window; outer: Window } | undefined {
  const box = view.scrollDOM.getBoundingClientRect();
  const content = view.contentDOM.getBoundingClientRect();
  const screen = view.dom.ownerDocument.defaultView?.innerHeight ?? box.bottom;
  const top = Math.max(box.top, 0);
  const bottom = Math.min(box.bottom, screen);
  if (bottom <= top) return undefined;
  const height = bottom - top;
  const at = (x: number, y: number) => view.posAtCoords({ x, y }, false);
  const left = content.left + 1;
  const right = content.right - 1;
  return {
    inner: { from: at(left, top), to: at(right, bottom) },
    outer: {
      from: at(left, Math.max(content.top, top - height)),
      to: at(right, Math.min(content.bottom, bottom + height)),
    },
  };
}

export function highlighting(resolved: Resolved, field: StateField<TextScan>): Extension {
  const plugin = ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      window: Window | undefined;
      destroyed = false;
      readonly onScroll = () => this.measure();
      constructor(readonly view: EditorView) {
        this.decorations = decorate(view, field, undefined);
        view.scrollDOM.addEventListener("scroll", this.onScroll, { passive: true });
        view.dom.ownerDocument.defaultView?.addEventListener("scroll", this.onScroll, { passive: true });
        this.measure();
      }
      measure() {
        this.view.requestMeasure({
          key: this,
          read: (view) => measureWindow(view),
          write: (found) => {
            if (!found) return;
            const w = this.window;
            if (w && w.from <= found.inner.from && found.inner.to <= w.to) return;
            // A new window is a new state of the plugin: set in an update of its own.
            setTimeout(() => {
              if (!this.destroyed) this.view.dispatch({ effects: setWindow.of(found.outer) });
            });
          },
        });
      }
      update(update: ViewUpdate) {
        let moved = false;
        for (const tr of update.transactions) {
          for (const e of tr.effects) {
            if (e.is(setWindow)) {
              this.window = e.value;
              moved = true;
            }
          }
        }
        if (!moved && this.window && update.docChanged) {
          this.window = {
            from: update.changes.mapPos(this.window.from, -1),
            to: update.changes.mapPos(this.window.to, 1),
          };
        }
        const redone =
          !moved && update.docChanged && !update.transactions.some((tr) => tr.reconfigured)
            ? redecorate(update, field, this.decorations, this.window)
            : undefined;
        if (redone) {
          this.decorations = redone;
        } else if (
          moved ||
          update.docChanged ||
          update.viewportChanged ||
          update.startState.field(field) !== update.state.field(field) ||
          update.transactions.some((tr) => tr.reconfigured)
        ) {
          this.decorations = decorate(update.view, field, this.window);
        }
        if (update.docChanged || update.geometryChanged || update.viewportChanged) this.measure();
      }
      destroy() {
        this.destroyed = true;
        this.view.scrollDOM.removeEventListener("scroll", this.onScroll);
        this.view.dom.ownerDocument.defaultView?.removeEventListener("scroll", this.onScroll);
      }
    },
    { decorations: (v) => v.decorations },
  );
  const limit = resolved.helper.limits.maxTemplateLength;
  const notice = showPanel.compute([field], (state) => (state.field(field).skipped ? tooLong(limit) : null));
  return [field, plugin, notice, syntaxHighlighting(defaultHighlightStyle, { fallback: true }), theme];
}

/** The notice for a text past maxTemplateLength, which is neither highlighted nor expanded. */
function tooLong(limit: number) {
  return (): Panel => {
    const dom = document.createElement("div");
    dom.className = "cm-hh-notice";
    dom.setAttribute("role", "status");
    dom.textContent = `Longer than ${limit} characters (the instance's maxTemplateLength): not highlighted, and it cannot be expanded.`;
    return { dom, top: true };
  };
}

const theme = EditorView.baseTheme({
  ".cm-hh-block": { backgroundColor: "rgba(80, 110, 230, 0.08)", borderRadius: "2px" },
  "&dark .cm-hh-block": { backgroundColor: "rgba(140, 170, 255, 0.12)" },
  ".cm-hh-key": { textDecoration: "underline dotted", textUnderlineOffset: "3px" },
  ".cm-hh-secretName": { fontStyle: "italic" },
  ".cm-hh-hover": { padding: "4px 8px", maxWidth: "36em" },
  ".cm-hh-hover code, .cm-hh-hover pre": { fontFamily: "monospace" },
  ".cm-hh-hover pre": { margin: "4px 0 0", whiteSpace: "pre-wrap", wordBreak: "break-all", opacity: "0.8" },
  ".cm-hh-hover p": { margin: "4px 0 0" },
  ".cm-hh-notice": { padding: "2px 8px", backgroundColor: "#fff4d6", color: "#5a4300" },
  ".cm-hh-hint": { opacity: "0.8", marginTop: "2px" },
  ".cm-lintRange.cm-hh-lint": { backgroundImage: "none", textDecorationLine: "underline", textDecorationStyle: "wavy" },
  ".cm-lintRange-error.cm-hh-lint": { textDecorationColor: "#e11" },
  ".cm-lintRange-warning.cm-hh-lint": { textDecorationColor: "orange" },
  ".cm-lintRange-info.cm-hh-lint": { textDecorationColor: "#999" },
  ".cm-hh-live": { padding: "4px 8px", maxHeight: "16em", overflow: "auto" },
  ".cm-hh-live-output": { margin: "0", whiteSpace: "pre-wrap", wordBreak: "break-all" },
  ".cm-hh-live-error": { color: "#c0392b" },
  ".cm-hh-trace": { borderCollapse: "collapse", marginTop: "4px" },
  ".cm-hh-trace td": { padding: "1px 8px 1px 0", verticalAlign: "top", whiteSpace: "pre-wrap", wordBreak: "break-all" },
});
