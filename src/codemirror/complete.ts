// Completion from the instance's method table (the host's functions included): after `hash.` the
// functions that start a chain, after a call the methods that take what it gives, in
// `getSecret("` the names of the host's secrets (never their values), and `hash.` itself after
// a `{` or `<`. A method is inserted with its parentheses and the cursor inside them.
import {
  type Completion,
  type CompletionContext,
  type CompletionResult,
  type CompletionSource,
  pickedCompletion,
} from "@codemirror/autocomplete";
import type { StateField } from "@codemirror/state";
import type { EditorView } from "@codemirror/view";
import { type Method, signature } from "../index.ts";
import { type Resolved, secretNames } from "./options.ts";
import { placeAt, placeIn, type TextScan } from "./scan.ts";

const NAME_CHARS = /^[\w$]*$/;

export function completionSource(resolved: Resolved, field?: StateField<TextScan>): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    // The editor's own scan when the extension keeps one, so a keystroke reads no more than its block.
    const scan = field && context.state.field(field, false);
    const place = scan
      ? placeIn(scan.blocksIn(context.pos, context.pos), context.pos)
      : placeAt(context.state.doc.toString(), context.pos);
    const table = resolved.helper.methods;
    if (place.kind === "method") {
      const allowed = next(table, place.after, place.previous);
      const options = [...table.values()]
        .filter((m) => allowed(m))
        .map((m) => methodCompletion(m, place.after === "hash" && m.input === "start"));
      return { from: place.from, options, validFor: NAME_CHARS };
    }
    if (place.kind === "string") {
      if (place.in?.name !== "getSecret" || place.in.index !== 0) return null;
      const close = place.closed ? "" : place.quote;
      const options = secretNames(resolved.secrets()).map(
        (name): Completion => ({ label: name, type: "variable", detail: "secret", apply: `${name}${close}` }),
      );
      return { from: place.from, options, validFor: /^[\w.$-]*$/ };
    }
    // `{ha` is not a block yet: `hash.` makes it one.
    const opener = /[{<]\s*([A-Za-z]*)$/.exec(context.state.sliceDoc(Math.max(0, context.pos - 32), context.pos));
    const word = opener?.[1];
    if (word !== undefined && "hash".startsWith(word) && (word !== "" || context.explicit)) {
      return {
        from: context.pos - word.length,
        options: [{ label: "hash.", type: "keyword" }],
        validFor: /^h?a?s?h?$/,
      };
    }
    return null;
  };
}

/** Which methods may follow a dot: as the REPL's completion decides (src/shells/repl/complete.ts). */
function next(
  table: ReadonlyMap<string, Method>,
  after: "hash" | "call" | "other",
  previous: string | undefined,
): (m: Method) => boolean {
  // The chain starts as empty text: value functions, and what takes text, but nothing that ends it.
  if (after === "hash") return (m) => m.input === "start" || (m.input.includes("text") && !m.final);
  const method = previous === undefined ? undefined : table.get(previous);
  if (!method) return (m) => m.input !== "start";
  if (method.final) return () => false;
  // The kind is the table's own only when no argument or name decides it.
  const kind = method.kindOf || method.names ? undefined : method.output;
  const afterDigest = method.input !== "start" && method.output === "bytes" && kind !== undefined;
  return (m) =>
    m.input !== "start" && (kind === undefined || m.input.includes(kind)) && !(afterDigest && m.notAfterDigest);
}

function methodCompletion(method: Method, first: boolean): Completion {
  return {
    label: method.name,
    type: method.input === "start" ? "function" : "method",
    detail: signature(method),
    info: () => describe(method),
    boost: first ? 1 : 0,
    apply: (view: EditorView, completion: Completion, from: number, to: number) => {
      // Over the rest of a name the cursor stood in, and without a second `(`.
      let end = to;
      while (end < view.state.doc.length && /[\w$]/.test(view.state.sliceDoc(end, end + 1))) end++;
      const hasParen = /^\s*\(/.test(view.state.sliceDoc(end, end + 16));
      const insert = hasParen ? method.name : `${method.name}()`;
      const inside = method.params.length > 0 ? 1 : 2;
      view.dispatch({
        changes: { from, to: end, insert },
        selection: { anchor: from + method.name.length + (hasParen ? 0 : inside) },
        annotations: pickedCompletion.of(completion),
        userEvent: "input.complete",
      });
    },
  };
}

/** A method's summary and example, as text nodes only: a host function's summary is the host's text. */
export function describe(method: Method): HTMLElement {
  const dom = document.createElement("div");
  dom.className = "cm-hh-hover";
  const code = dom.appendChild(document.createElement("code"));
  code.textContent = signature(method);
  const summary = dom.appendChild(document.createElement("p"));
  summary.textContent = method.summary;
  if (method.example) {
    const example = dom.appendChild(document.createElement("pre"));
    example.textContent = method.example;
  }
  return dom;
}
