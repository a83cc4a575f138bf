// Highlighting of the blocks inside any text, from our tokens (scan.ts): a view plugin of mark
// decorations rather than a language, so that it works beside whatever language the field has
// (none for a URL, JSON for a body). Each piece gets a class of its own (`cm-hh-method`…) and the
// class the editor's highlight style gives the matching @lezer/highlight tag, so a host's theme
// colours our tokens as it colours its own.
import { defaultHighlightStyle, highlightingFor, syntaxHighlighting } from "@codemirror/language";
import type { EditorState, Extension } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView, ViewPlugin, type ViewUpdate } from "@codemirror/view";
import { type Tag, tags } from "@lezer/highlight";
import type { Resolved } from "./options.ts";
import { pieces, type Role } from "./scan.ts";

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

function decorate(state: EditorState, resolved: Resolved): DecorationSet {
  const text = state.doc.toString();
  let masked: string | undefined;
  try {
    masked = resolved.helper.redact(text);
  } catch {
    // Longer than the instance's maxTemplateLength: highlighted without telling keys apart.
  }
  const marks = new Map<Role, Decoration>();
  const mark = (role: Role) => {
    let found = marks.get(role);
    if (!found) {
      found = Decoration.mark({ class: classOf(state, role) });
      marks.set(role, found);
    }
    return found;
  };
  const ranges = pieces(text, resolved.helper.methods, masked)
    .filter((p) => p.to > p.from)
    .map((p) => mark(p.role).range(p.from, p.to));
  return Decoration.set(ranges, true);
}

export function highlighting(resolved: Resolved): Extension {
  const plugin = ViewPlugin.fromClass(
    class {
      decorations: DecorationSet;
      constructor(view: EditorView) {
        this.decorations = decorate(view.state, resolved);
      }
      update(update: ViewUpdate) {
        if (update.docChanged || update.transactions.some((tr) => tr.reconfigured)) {
          this.decorations = decorate(update.state, resolved);
        }
      }
    },
    { decorations: (v) => v.decorations },
  );
  return [plugin, syntaxHighlighting(defaultHighlightStyle, { fallback: true }), theme];
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
