import type { ExplainedBlock, ExplainedStep, ExplainedValue, Explanation, RequestExplanation } from "./explain.ts";

export interface FormatOptions {
  /** ANSI colours, for a terminal. */
  color?: boolean | undefined;
  /** Which part of a signed request the blocks are in, named in each block's heading. */
  part?: string | undefined;
  /** Leave out the clock line (the parts of a request after the first share it). */
  omitClock?: boolean | undefined;
}

/**
 * The step table of an explanation, as the CLI prints it on stderr and the REPL after a value:
 * the clock, then for every block each call written as code, one a line, with the kind and a
 * preview of the value after it. Nested chains stand under the call they feed, named after
 * the parameter (`key = hash.getSecret("api")`), and so do key literals, whose masked preview
 * gives their length. Ends with a line feed.
 */
export function formatExplanation(explanation: Explanation, options: FormatOptions = {}): string {
  const paint = options.color ? ansi : plain;
  const lines = options.omitClock ? [] : [paint("dim", `clock ${clock(explanation.now)}`)];
  if (explanation.blocks.length === 0) {
    lines.push("", "no hash blocks: the template is kept as it is");
    return `${lines.join("\n")}\n`;
  }
  const tables = explanation.blocks.map((block) => blockRows(block));
  const width = Math.min(LABEL_MAX, Math.max(...tables.flatMap((rows) => rows.map((r) => r.label.length))));
  explanation.blocks.forEach((block, i) => {
    const where = `line ${block.span.line}, column ${block.span.column}`;
    const n = explanation.blocks.length;
    lines.push(
      "",
      `${paint("bold", `${options.part ? `${options.part}, ` : ""}block ${i + 1} of ${n}`)} ${paint("dim", `· ${where} ·`)} ${cut(block.source, SOURCE_MAX)}`,
    );
    for (const row of tables[i] as Row[]) lines.push(formatRow(row, width, paint));
  });
  return `${lines.join("\n")}\n`;
}

interface Row {
  label: string;
  value: ExplainedValue;
  output?: boolean;
}

// Beyond these a label or a block's source is cut: the preview beside it says the rest.
const LABEL_MAX = 48;
const SOURCE_MAX = 80;

function blockRows(block: ExplainedBlock): Row[] {
  const rows = chainRows(block.steps, "  ", "");
  rows.push({ label: "  → output", value: block.output, output: true });
  return rows;
}

/**
 * The chain as code, `hash.first(…)` then `    .next(…)`; an argument shown on a row of its own
 * (a nested chain, a key) is named by its parameter in the call and written out below it.
 */
function chainRows(steps: readonly ExplainedStep[], indent: string, prefix: string): Row[] {
  const rows: Row[] = [];
  const dots = " ".repeat(prefix.length + 4);
  steps.forEach((step, i) => {
    const own = step.args.map((arg) => arg.steps !== undefined || (arg.key && arg.value !== undefined));
    const args = step.args.map((arg, a) => (own[a] ? arg.param : arg.source));
    const call = `${step.method}(${args.join(", ")})`;
    rows.push({ label: i === 0 ? `${indent}${prefix}hash.${call}` : `${indent}${dots}.${call}`, value: step.value });
    const under = `${indent}${dots}  `;
    step.args.forEach((arg, a) => {
      if (!own[a]) return;
      if (arg.steps) rows.push(...chainRows(arg.steps, under, `${arg.param} = `));
      else if (arg.value) rows.push({ label: `${under}${arg.param} = ${arg.source}`, value: arg.value });
    });
  });
  return rows;
}

function formatRow(row: Row, width: number, paint: Paint): string {
  const label = cut(row.label, LABEL_MAX);
  const kind = row.value.kind.padEnd(5);
  const preview = row.value.value === undefined ? paint("yellow", row.value.preview) : row.value.preview;
  const padded = label.padEnd(width);
  return `${row.output ? paint("bold", padded) : padded}  ${paint("dim", kind)}  ${preview}`;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function clock(ms: number): string {
  const date = new Date(ms);
  const iso = Number.isNaN(date.getTime()) ? "out of range" : date.toISOString();
  return `${iso} (epoch seconds ${Math.floor(ms / 1000)})`;
}

type Paint = (style: keyof typeof codes, text: string) => string;
const codes = { bold: 1, dim: 2, yellow: 33 } as const;
const ansi: Paint = (style, text) => `\x1b[${codes[style]}m${text}\x1b[0m`;
const plain: Paint = (_style, text) => text;

/** The step tables of a signed request: the clock once, then each part that has blocks. */
export function formatRequestExplanation(explanation: RequestExplanation, options: FormatOptions = {}): string {
  const paint = options.color ? ansi : plain;
  let out = `${paint("dim", `clock ${clock(explanation.now)}`)}\n`;
  if (explanation.parts.length === 0) out += "\nno hash blocks: the request is sent as it is\n";
  for (const part of explanation.parts) {
    out += formatExplanation(
      { result: "", now: explanation.now, blocks: part.blocks },
      { ...options, part: part.where, omitClock: true },
    );
  }
  return out;
}
