/**
 * Parses a dotenv file: `NAME=value` lines, `#` comments, an optional `export ` prefix, values
 * unquoted (trimmed, ` #` starts a comment), in single quotes (taken literally) or in double
 * quotes (with \n \r \t \" \\ escapes). Errors give the line number, never the line: it may
 * hold a secret.
 */
export function parseDotenv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!match) throw new SyntaxError(`line ${index + 1} is not NAME=value`);
    const [, name, rest] = match as unknown as [string, string, string];
    values.set(name, value(rest, index + 1));
  });
  return values;
}

const ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", '"': '"', "\\": "\\" };

function value(rest: string, line: number): string {
  if (rest.startsWith("'")) {
    const end = rest.indexOf("'", 1);
    if (end === -1) throw new SyntaxError(`line ${line} has an unclosed quote`);
    return rest.slice(1, end);
  }
  if (rest.startsWith('"')) {
    let out = "";
    for (let i = 1; i < rest.length; i++) {
      const ch = rest[i] as string;
      if (ch === '"') return out;
      if (ch === "\\" && i + 1 < rest.length) {
        const next = rest[++i] as string;
        out += ESCAPES[next] ?? `\\${next}`;
      } else {
        out += ch;
      }
    }
    throw new SyntaxError(`line ${line} has an unclosed quote`);
  }
  const comment = rest.search(/\s#/);
  return (comment === -1 ? rest : rest.slice(0, comment)).trim();
}
