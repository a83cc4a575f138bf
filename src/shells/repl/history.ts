// The REPL's history file, masked as error excerpts are, and the refusal of a mask recalled
// from it as if it were the text it hid.
import { closeSync, fchmodSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { HashHelperError, methods, type Param, type ProblemReport, redact } from "../../index.ts";

export const HISTORY_SIZE = 1000;

export interface History {
  /** The entries saved by earlier sessions, newest first, as readline keeps them. */
  load(): string[];
  add(entry: string): void;
  onFailure: (message: string) => void;
}

/**
 * The history file: one entry an input, newest last. An input that went over several lines is
 * saved as one line, with the text of every literal masked but names (redact() with every
 * literal), so the file holds no key, not even one appended as data, and `getSecret("moz")`
 * still reads as it was typed; a recalled mask is refused as a key (maskedInHistory()). The
 * secrets typed after .secret never reach it at all. "" keeps no history.
 */
export function historyFile(path: string | undefined): History | undefined {
  const file = path ?? join(homedir(), ".hash_helper_history");
  if (file === "") return undefined;
  let entries: string[] = [];
  let failed = false;
  const history: History = {
    load() {
      try {
        entries = readFileSync(file, "utf8").split(/\r?\n/).filter(Boolean).slice(-HISTORY_SIZE);
      } catch {
        entries = []; // none yet
      }
      return [...entries].reverse();
    },
    add(input) {
      const entry = maskAll(input.replace(/\r?\n/g, " ")).trim();
      if (failed || entry === "" || entry === entries[entries.length - 1]) return;
      entries.push(entry);
      if (entries.length > HISTORY_SIZE) entries.shift();
      try {
        writePrivately(file, `${entries.join("\n")}\n`);
      } catch (e) {
        failed = true;
        history.onFailure(`history not saved: ${file}: ${(e as NodeJS.ErrnoException).code ?? "cannot be written"}`);
      }
    },
    onFailure: () => {},
  };
  return history;
}

/** Writes a file readable by its owner alone, whatever mode it had: open()'s mode only applies to a new file. */
export function writePrivately(file: string, text: string): void {
  const fd = openSync(file, "w", 0o600);
  try {
    // Before the text goes in, so that it is never readable by others.
    fchmodSync(fd, 0o600);
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function maskAll(line: string): string {
  try {
    return redact(line, { literals: "all" });
  } catch {
    return ""; // an entry that cannot be masked is not kept
  }
}

export const MASKED_KEY = "this key was masked in history: type it again, or use .secret";
const MASKED_KEY_HINT = '.secret NAME reads a key without showing it, and hash.getSecret("NAME") uses it';
const MASKED_TEXT = "this text was masked in history: type it again";
const MASKED_TEXT_HINT = "history, errors and traces show the text of strings as bullets (•), never the text itself";
const BULLETS = /^\u2022+$/;

/**
 * The error with the checker's refusal of a mask (MASKED_LITERAL, or the bullets of a masked
 * number, which the lexer does not read) said the way the REPL's user meets it: on a line
 * recalled from the history file, which masks every literal. A key's mask is named as one.
 */
export function maskedInHistory(source: string, error: HashHelperError): HashHelperError {
  let changed = false;
  const problems = error.problems.map((p): ProblemReport => {
    const text = source.slice(p.span.offset, p.span.offset + p.span.length);
    const maskedNumber = p.code === "UNEXPECTED_CHARACTER" && BULLETS.test(text);
    if (p.code !== "MASKED_LITERAL" && !maskedNumber) return p;
    changed = true;
    const param = paramAt(source, p.span.offset);
    const key = param === undefined || param.secret === true;
    return { ...p, message: key ? MASKED_KEY : MASKED_TEXT, hint: key ? MASKED_KEY_HINT : MASKED_TEXT_HINT };
  });
  return changed ? new HashHelperError(problems, error.omitted) : error;
}

/** The parameter of the call whose argument starts at `offset`, read backwards to its `name(`. */
function paramAt(source: string, offset: number): Param | undefined {
  let depth = 0;
  let index = 0;
  for (let i = offset - 1; i >= 0; i--) {
    const c = source[i];
    if (c === '"' || c === "'") {
      i = source.lastIndexOf(c, i - 1);
      while (i > 0 && source[i - 1] === "\\") i = source.lastIndexOf(c, i - 2);
      if (i < 0) return undefined;
    } else if (c === ")") depth++;
    else if (c === "(") {
      if (depth === 0) {
        const name = /([A-Za-z_$][\w$]*)\s*$/.exec(source.slice(0, i))?.[1];
        return name === undefined ? undefined : methods.get(name)?.params[index];
      }
      depth--;
    } else if (c === "," && depth === 0) index++;
    else if (c === ";" || c === "{" || c === "<") return undefined;
  }
  return undefined;
}
