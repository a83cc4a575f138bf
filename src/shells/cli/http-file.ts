// Requests in the `.http` format of the JetBrains HTTP Client and VS Code's REST Client, which
// docs/recipes/ writes its requests in: a request line (`METHOD URL`, optionally ` HTTP/1.1`),
// `Name: value` headers, a blank line and the body; `###` between requests; `# @name NAME`; `#` and
// `//` comment lines before a request and among its headers. Text only: no file is read here.
//
// Not ours, and refused with the line they are on rather than sent as written: the clients'
// variables (`{{host}}`, `{{$timestamp}}`), file variables (`@host = …`), a body read from a
// file (`< ./body.json`) and response handlers (`> {% … %}`, `>> file`). Messages name the line,
// never its text: a line may hold a key.

export interface HttpRequest {
  /** `# @name NAME` (or `// @name`), else the text after `###`, else undefined. */
  name: string | undefined;
  method: string;
  /** The URL as written, with the indented lines that continue it joined on. */
  url: string;
  headers: [string, string][];
  /** The lines after the blank line, joined with "\n", without the blank lines at the end; undefined when there are none. */
  body: string | undefined;
  /** The 1-based line of the request line. */
  line: number;
}

/** A line of the file that is not a request, a header or a comment; `line` is 1-based. */
export class HttpFileError extends Error {
  override readonly name = "HttpFileError";
  constructor(
    readonly line: number,
    what: string,
  ) {
    super(`line ${line}: ${what}`);
  }
}

/** RFC 9110 §5.6.2: a method and a field name are tokens. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const SEPARATOR = /^###/;
const COMMENT = /^\s*(?:#|\/\/)/;
/** `# @name NAME`, `# @name=NAME`, `// @name = NAME`. */
const NAME = /^\s*(?:#|\/\/)\s*@name(?:\s*=\s*|\s+)(\S.*?)\s*$/;
/** The HTTP Client's variables, `{{name}}` and `{{$dynamic.name}}` (its own syntax, not a hash helper block). */
const VARIABLE = /\{\{\s*\$?[A-Za-z_][\w.-]*(?:\s[^{}]*)?\}\}/;
/** How a URL starts: a scheme, a path, or a block that writes it. */
const URL_START = /^(?:[A-Za-z][A-Za-z0-9+.-]*:|\/|[{<]hash)/;
const HTTP_VERSION = /\s+HTTP\/\d(?:\.\d)?$/;

const VARIABLE_MESSAGE =
  '{{…}} is a variable of the HTTP Client, which hash-helper does not substitute: write the value in its place, or read a key with hash.getSecret("name")';

/** Every request of the file, in order. Throws HttpFileError at the first line that cannot be read. */
export function parseHttpFile(text: string): HttpRequest[] {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const requests: HttpRequest[] = [];
  let i = 0;
  while (i < lines.length) {
    // One section: up to the next ### line.
    let sectionName: string | undefined;
    const first = lines[i] as string;
    if (SEPARATOR.test(first)) {
      const title = first.replace(/^#+/, "").trim();
      sectionName = title === "" ? undefined : title;
      i++;
    }
    let end = i;
    while (end < lines.length && !SEPARATOR.test(lines[end] as string)) end++;
    const request = parseSection(lines, i, end, sectionName);
    if (request) requests.push(request);
    i = end;
  }
  return requests;
}

/** The request of lines[start, end), or undefined when they hold only comments and blank lines. */
function parseSection(
  lines: readonly string[],
  start: number,
  end: number,
  sectionName: string | undefined,
): HttpRequest | undefined {
  let name = sectionName;
  let i = start;
  // Before the request line: blank lines, comments, `# @name`.
  for (; i < end; i++) {
    const line = lines[i] as string;
    const named = NAME.exec(line);
    if (named) {
      name = named[1];
      continue;
    }
    if (line.trim() === "" || COMMENT.test(line)) continue;
    if (/^\s*@[\w.-]+\s*=/.test(line)) {
      throw new HttpFileError(
        i + 1,
        'file variables (@name = value) are not supported: write the value in its place, or read a key with hash.getSecret("name")',
      );
    }
    break;
  }
  if (i === end) return undefined;
  const lineNumber = i + 1;
  let requestLine = (lines[i] as string).trim();
  i++;
  // The HTTP Client's long URLs: the lines after the request line that are indented continue it.
  while (i < end && /^[ \t]+\S/.test(lines[i] as string) && !COMMENT.test(lines[i] as string)) {
    requestLine += (lines[i] as string).trim();
    i++;
  }
  const { method, url } = splitRequestLine(requestLine, lineNumber);
  refuseVariable(url, lineNumber);

  const headers: [string, string][] = [];
  for (; i < end; i++) {
    const line = lines[i] as string;
    if (line.trim() === "") break;
    if (COMMENT.test(line)) continue;
    const colon = line.indexOf(":");
    const headerName = line.slice(0, colon).trim();
    if (colon <= 0 || !TOKEN.test(headerName)) {
      throw new HttpFileError(i + 1, "expected a header 'Name: value' (a blank line comes before the body)");
    }
    const value = line.slice(colon + 1).trim();
    refuseVariable(value, i + 1);
    headers.push([headerName, value]);
  }

  // The body: after the blank line, to the section's end, less its blank lines at the end.
  let last = end;
  while (last > i && (lines[last - 1] as string).trim() === "") last--;
  const bodyLines = lines.slice(i + 1, last);
  for (const [k, line] of bodyLines.entries()) {
    const at = i + 2 + k;
    refuseVariable(line, at);
    if (k === 0 && /^<\s+\S/.test(line)) {
      throw new HttpFileError(at, "a body read from a file (< FILE) is not supported: use --data @FILE");
    }
    if (/^(?:>\s*\{%|>>!?\s+\S|<>\s+\S)/.test(line)) {
      throw new HttpFileError(at, "response handlers and redirections (> {% %}, >>, <>) are not supported");
    }
  }
  return {
    name,
    method,
    url,
    headers,
    body: bodyLines.length === 0 ? undefined : bodyLines.join("\n"),
    line: lineNumber,
  };
}

/** `METHOD URL [HTTP/x]`, or `URL` alone for a GET, as both clients take it. */
function splitRequestLine(requestLine: string, line: number): { method: string; url: string } {
  const withoutVersion = requestLine.replace(HTTP_VERSION, "");
  const space = withoutVersion.search(/\s/);
  const word = space === -1 ? withoutVersion : withoutVersion.slice(0, space);
  // A URL alone: the first word is not a method (it holds ':' or '/', which no token here does).
  if (space === -1 || !TOKEN.test(word)) {
    if (!URL_START.test(withoutVersion)) throw new HttpFileError(line, "expected a request line 'METHOD URL'");
    return { method: "GET", url: withoutVersion };
  }
  const url = withoutVersion.slice(space).trim();
  if (!URL_START.test(url)) throw new HttpFileError(line, "expected a request line 'METHOD URL'");
  return { method: word, url };
}

function refuseVariable(text: string, line: number): void {
  if (VARIABLE.test(text)) throw new HttpFileError(line, VARIABLE_MESSAGE);
}
