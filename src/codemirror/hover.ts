// Hover on a method's name: its signature, summary and example from the instance's table.
import type { Extension, StateField } from "@codemirror/state";
import { hoverTooltip } from "@codemirror/view";
import { describe } from "./complete.ts";
import type { Resolved } from "./options.ts";
import { methodNameIn, type TextScan } from "./scan.ts";

export function hover(resolved: Resolved, field: StateField<TextScan>): Extension {
  return hoverTooltip((view, pos) => {
    const found = methodNameIn(view.state.field(field).blocksIn(pos, pos), pos);
    const method = found && resolved.helper.methods.get(found.name);
    if (!found || !method) return null;
    return { pos: found.from, end: found.to, above: true, create: () => ({ dom: describe(method) }) };
  });
}
