// Tab completion of the REPL, from the method table: method names after `hash.` and `).`,
// `hash.` itself, the dot-commands, and the file names after `.load` and `.save`.
import type { Dirent } from "node:fs";
import { readdirSync } from "node:fs";
import { homedir } from "node:os";
import { type Method, methods, unterminatedStrings } from "../../index.ts";

export interface Completion {
  candidates: string[];
  /** The text the candidates would replace. */
  word: string;
  /** Methods to describe on a second Tab, when the candidates cannot complete further. */
  describe?: Method[];
}

const NONE: Completion = { candidates: [], word: "" };
const NAME = "[A-Za-z_$][\\w$]*";

/**
 * A dot-command's name, with a space after it when it is the only one and takes an argument
 * (`.lo` → `.load `), so that what is typed next is the argument; and `on` or `off` after a
 * command that takes them.
 */
export function completeCommand(
  line: string,
  commands: ReadonlyMap<string, { argument?: string | undefined }>,
): Completion | undefined {
  const switched = /^\s*\.([\w-]+)\s+(\w*)$/.exec(line);
  if (switched && commands.get(switched[1] as string)?.argument === "on|off") {
    const word = switched[2] ?? "";
    return { candidates: ["on", "off"].filter((c) => c.startsWith(word.toLowerCase())), word };
  }
  const command = /^\s*\.([\w-]*)$/.exec(line);
  if (!command) return undefined;
  const word = `.${command[1] ?? ""}`;
  const names = [...commands.keys()].filter((name) => `.${name}`.startsWith(word)).sort();
  const only = names.length === 1 ? commands.get(names[0] as string) : undefined;
  return { candidates: names.map((name) => `.${name}${only?.argument ? " " : ""}`), word };
}

/** A file's name after `.load ` or `.save `, directories with a `/` after them. */
export function completePath(line: string, commandsTakingFiles: readonly string[]): Completion | undefined {
  const typed = /^\s*\.([\w-]+)\s+(\S*)$/.exec(line);
  if (!typed || !commandsTakingFiles.includes(typed[1] as string)) return undefined;
  const word = typed[2] ?? "";
  const slash = word.lastIndexOf("/");
  const dir = slash === -1 ? "" : word.slice(0, slash + 1);
  const base = word.slice(slash + 1);
  let entries: Dirent[];
  try {
    entries = readdirSync(expandHome(dir === "" ? "." : dir), { withFileTypes: true });
  } catch {
    return { candidates: [], word };
  }
  const candidates = entries
    // Hidden files only when a dot is typed, as shells complete them.
    .filter((e) => e.name.startsWith(base) && (base.startsWith(".") || !e.name.startsWith(".")))
    .map((e) => `${dir}${e.name}${e.isDirectory() ? "/" : ""}`)
    .sort();
  return { candidates, word };
}

/** `~/…` read as the home directory's, as a shell would before handing the path over. */
export function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path;
}

/**
 * Method names after `hash.` or `).`, and `hash.` itself at the start of an expression. After
 * `hash.` every method may come; in the middle of a chain no value function does, and after a
 * call whose kind the table tells, only the methods that take it. A name that is the only one
 * left is completed with `(`, or `()` when it takes no argument, so that the text parses; not
 * when a `(` follows already (`after` is the line past the cursor).
 */
export function completeMethod(line: string, after = ""): Completion {
  if (insideString(line)) return NONE;
  // Tab on a name completed already describes it on its second press.
  const called = new RegExp(`\\.\\s*(${NAME})\\(\\)?$`).exec(line);
  const calledMethod = called ? methods.get(called[1] as string) : undefined;
  if (calledMethod) return { candidates: [], word: "", describe: [calledMethod] };

  const afterDot = new RegExp(`\\.\\s*(${NAME})?$`).exec(line);
  if (afterDot) {
    const word = afterDot[1] ?? "";
    const allowed = next(line.slice(0, afterDot.index));
    const found = [...methods.values()].filter((m) => m.name.startsWith(word) && allowed(m));
    const names = found.map((m) => m.name);
    const prefix = commonPrefix(names);
    if (found.length === 1 && !/^\s*\(/.test(after)) {
      const only = found[0] as Method;
      return { candidates: [`${only.name}${only.params.length === 0 ? "()" : "("}`], word };
    }
    const stuck = names.length > 0 && prefix.length <= word.length;
    return stuck ? { candidates: names, word, describe: found } : { candidates: names, word };
  }
  const start = new RegExp(`(?:^|[^\\w$.])(${NAME})$`).exec(line);
  const word = start?.[1] ?? "";
  return word && "hash".startsWith(word) ? { candidates: ["hash."], word } : { candidates: [], word };
}

/** Which methods may follow the text before a dot. */
function next(before: string): (m: Method) => boolean {
  if (/(?:^|[^\w$.])hash\s*$/.test(before)) return () => true;
  const previous = callBefore(before);
  if (previous === undefined) return (m) => m.input !== "start";
  const method = methods.get(previous);
  if (!method) return (m) => m.input !== "start";
  if (method.final) return () => false;
  // The kind is the table's own only when no argument or name decides it.
  const kind = method.kindOf || method.names ? undefined : method.output;
  const afterDigest = method.input !== "start" && method.output === "bytes" && kind !== undefined;
  return (m) =>
    m.input !== "start" && (kind === undefined || m.input.includes(kind)) && !(afterDigest && m.notAfterDigest);
}

/** The name of the call that ends the text (`….encodeMd5()`), skipping its arguments. */
function callBefore(text: string): string | undefined {
  let i = text.trimEnd().length - 1;
  if (text[i] !== ")") return undefined;
  let depth = 0;
  for (; i >= 0; i--) {
    const c = text[i];
    if (c === '"' || c === "'") {
      i = text.lastIndexOf(c, i - 1);
      while (i > 0 && text[i - 1] === "\\") i = text.lastIndexOf(c, i - 2);
      if (i < 0) return undefined;
    } else if (c === ")") depth++;
    else if (c === "(" && --depth === 0) break;
  }
  if (i < 0) return undefined;
  return new RegExp(`\\.\\s*(${NAME})\\s*$`).exec(text.slice(0, i))?.[1];
}

function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return "";
  let prefix = words[0] as string;
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** Whether the end of the line is inside a quoted string of an expression. */
function insideString(line: string): boolean {
  return unterminatedStrings(line).some((s) => s.offset + s.length === line.length);
}
