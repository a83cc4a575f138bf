// --secrets-file: a dotenv file, read by Node's own util.parseEnv, so that the same file gives the
// same key here as in `node --env-file`, and as in the dotenv package for what the two agree on
// (comments after #, quotes, multi-line quoted values, \n expanded in double quotes, `export `).
// parseEnv skips a line it cannot read without a word; a secret that silently went missing, or
// a line that silently became part of the one before, signs wrong. So every line is checked here
// too, and one that parseEnv would skip is an error naming its number, never its text.
import { parseEnv } from "node:util";

/** A line of the file that parseEnv would skip or misread; the message names the line only. */
export class DotenvError extends SyntaxError {
  override readonly name = "DotenvError";
  constructor(
    readonly line: number,
    what: string,
  ) {
    super(`line ${line} ${what}`);
  }
}

const QUOTES = new Set(['"', "'", "`"]);

/**
 * The file's values as util.parseEnv gives them, or a DotenvError at the first line that is not
 * blank, a comment, `NAME=value` or the rest of a quoted value begun on a line before.
 */
export function parseDotenv(text: string): Map<string, string> {
  const lines = text.split(/\r\n|\r|\n/);
  const keys: { name: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq === -1) throw new DotenvError(i + 1, "is not NAME=value");
    const name = line
      .slice(0, eq)
      .trim()
      .replace(/^export\s+/, "");
    if (name === "" || /[\s#"'`]/.test(name)) throw new DotenvError(i + 1, "has no NAME before its =");
    keys.push({ name, line: i + 1 });
    const value = line.slice(eq + 1).trimStart();
    const quote = value.charAt(0);
    if (!QUOTES.has(quote) || value.indexOf(quote, 1) !== -1) continue;
    // A quoted value that goes on: to the first later line holding the same quote.
    let end = i + 1;
    while (end < lines.length && !(lines[end] as string).includes(quote)) end++;
    if (end === lines.length) throw new DotenvError(i + 1, "has a quote that is never closed");
    i = end;
  }
  const parsed = parseEnv(text);
  // What this reading took for a name and parseEnv did not: a line Node reads otherwise.
  for (const { name, line } of keys) {
    if (!Object.hasOwn(parsed, name)) throw new DotenvError(line, "cannot be read as NAME=value");
  }
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(parsed)) if (value !== undefined) values.set(name, value);
  return values;
}
