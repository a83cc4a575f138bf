// Hover on a method's name: its signature, summary and example from the instance's table.
import type { Extension } from "@codemirror/state";
import { hoverTooltip } from "@codemirror/view";
import { describe } from "./complete.ts";
import type { Resolved } from "./options.ts";
import { methodNameAt } from "./scan.ts";

export function hover(resolved: Resolved): Extension {
  return hoverTooltip((view, pos) => {
    const found = methodNameAt(view.state.doc.toString(), pos);
    const method = found && resolved.helper.methods.get(found.name);
    if (!found || !method) return null;
    return { pos: found.from, end: found.to, above: true, create: () => ({ dom: describe(method) }) };
  });
}
