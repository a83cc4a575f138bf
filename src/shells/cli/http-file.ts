// Requests in the `.http` format of the JetBrains HTTP Client and VS Code's REST Client, which
// docs/recipes/ writes its requests in: a request line (`METHOD URL`, optionally ` HTTP/1.1`),
// `Name: value` headers, a blank line and the body; `###` between requests; `# @name NAME`; `#` and
// `//` comment lines before a request and among its headers. Text only: no file is read here.
//
// Not ours, and refused with the line they are on rather than sent as written: the clients'
// variables (`{{host}}`, `{{$timestamp}}`), file variables (`@host = …`), a body read from a
// file (`< ./body.json`) and response handlers (`> {% … %}`, `>> file`). Messages name the line,
// never its text: a line may hold a key.

import { type Diagnostic, defaultLimits, type RequestTemplate } from "../../index.ts";

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
  /** Where the text of each part lies in the file, for a span in a part to be shown in the file. */
  positions: PartPositions;
}

/**
 * A piece of a part's text copied from the file as it is: from `at` in the part, to the next
 * run's `at` (or the part's end), it is the file's text from `offset` (0-based, in UTF-16 code
 * units of the text given to parseHttpFile, a byte order mark included), on the 1-based `line`
 * from the 1-based `column`.
 */
export interface TextRun {
  at: number;
  offset: number;
  line: number;
  column: number;
}

/** The runs of a request's URL, of each header's value (in order) and of the body (one a line). */
export interface PartPositions {
  url: TextRun[];
  headers: TextRun[][];
  body: TextRun[];
}

/** Where an offset in a part is in the file: in the run it falls in, or just past the last. */
export function filePosition(runs: readonly TextRun[], at: number): { offset: number; line: number; column: number } {
  let run = runs[0] ?? { at: 0, offset: 0, line: 1, column: 1 };
  for (const r of runs) if (r.at <= at) run = r;
  const by = at - run.at;
  return { offset: run.offset + by, line: run.line, column: run.column + by };
}

/** The runs of the text that starts at `start` of the text `runs` describe. */
function sliceRuns(runs: readonly TextRun[], start: number): TextRun[] {
  const out: TextRun[] = [];
  for (const [k, r] of runs.entries()) {
    const next = runs[k + 1]?.at ?? Number.POSITIVE_INFINITY;
    if (next <= start) continue;
    const skip = Math.max(0, start - r.at);
    out.push({ at: r.at + skip - start, offset: r.offset + skip, line: r.line, column: r.column + skip });
  }
  return out;
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
  const bom = text.startsWith("\uFEFF") ? 1 : 0;
  const lines = text.slice(bom).split(/\r?\n/);
  // Where each line starts in `text`.
  const starts = [bom];
  for (const m of text.slice(bom).matchAll(/\r?\n/g)) starts.push(bom + m.index + m[0].length);
  const at = (line: number, column: number): TextRun => ({
    at: 0,
    offset: (starts[line] ?? 0) + column,
    line: line + 1,
    column: column + 1,
  });
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
    const request = parseSection(lines, i, end, sectionName, at);
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
  /** The run of the text from a 0-based line and column. */
  at: (line: number, column: number) => TextRun,
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
  const leading = (line: string) => line.length - line.trimStart().length;
  let requestLine = (lines[i] as string).trim();
  const lineRuns = [at(i, leading(lines[i] as string))];
  i++;
  // The HTTP Client's long URLs: the lines after the request line that are indented continue it.
  while (i < end && /^[ \t]+\S/.test(lines[i] as string) && !COMMENT.test(lines[i] as string)) {
    lineRuns.push({ ...at(i, leading(lines[i] as string)), at: requestLine.length });
    requestLine += (lines[i] as string).trim();
    i++;
  }
  const { method, url, urlStart } = splitRequestLine(requestLine, lineNumber);
  refuseVariable(url, lineNumber);
  const headerRuns: TextRun[][] = [];

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
    const rest = line.slice(colon + 1);
    const value = rest.trim();
    refuseVariable(value, i + 1);
    headers.push([headerName, value]);
    headerRuns.push([at(i, colon + 1 + leading(rest))]);
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
  let bodyAt = 0;
  const bodyRuns = bodyLines.map((line, k) => {
    const run = { ...at(i + 1 + k, 0), at: bodyAt };
    bodyAt += line.length + 1;
    return run;
  });
  return {
    name,
    method,
    url,
    headers,
    body: bodyLines.length === 0 ? undefined : bodyLines.join("\n"),
    line: lineNumber,
    positions: { url: sliceRuns(lineRuns, urlStart), headers: headerRuns, body: bodyRuns },
  };
}

/** `METHOD URL [HTTP/x]`, or `URL` alone for a GET, as both clients take it. */
/** The method and the URL, and where the URL starts in the request line. */
function splitRequestLine(requestLine: string, line: number): { method: string; url: string; urlStart: number } {
  const withoutVersion = requestLine.replace(HTTP_VERSION, "");
  const space = withoutVersion.search(/\s/);
  const word = space === -1 ? withoutVersion : withoutVersion.slice(0, space);
  // A URL alone: the first word is not a method (it holds ':' or '/', which no token here does).
  if (space === -1 || !TOKEN.test(word)) {
    if (!URL_START.test(withoutVersion)) throw new HttpFileError(line, "expected a request line 'METHOD URL'");
    return { method: "GET", url: withoutVersion, urlStart: 0 };
  }
  const after = withoutVersion.slice(space);
  const url = after.trim();
  if (!URL_START.test(url)) throw new HttpFileError(line, "expected a request line 'METHOD URL'");
  return { method: word, url, urlStart: space + after.length - after.trimStart().length };
}

function refuseVariable(text: string, line: number): void {
  if (VARIABLE.test(text)) throw new HttpFileError(line, VARIABLE_MESSAGE);
}

/**
 * A request of a .http file as signRequest() takes it: the one reading of sign, fetch, lint and
 * the REPL's .load. HttpFileError, naming the request's line, when it cannot be sent as written:
 * a GET or HEAD with a body (as -X GET --data is refused), or a part longer than a template may be.
 */
export function httpRequestTemplate(
  request: HttpRequest,
  maxTemplateLength: number = defaultLimits.maxTemplateLength,
): RequestTemplate<[string, string][]> {
  const { method, url, headers, body, line } = request;
  if (body !== undefined && /^(GET|HEAD)$/i.test(method)) {
    throw new HttpFileError(line, `a ${method.toUpperCase()} request cannot have a body`);
  }
  for (const part of [url, body ?? "", ...headers.map(([, v]) => v)]) {
    if (part.length > maxTemplateLength) {
      throw new HttpFileError(
        line,
        `the request is longer than a template may be (limit maxTemplateLength is ${maxTemplateLength})`,
      );
    }
  }
  return { method, url, headers, body };
}

/** A lint diagnostic or a problem of a template's error (a ProblemReport): where it is, in which part. */
export type Placed = Pick<Diagnostic, "span" | "excerpt" | "where"> & { fix?: Diagnostic["fix"] };

/**
 * A diagnostic of a request of a .http file, its span and its fix's span moved from the part
 * (`where`) into the file's text: offset, line and column there, so that a fix applies to the
 * file. Its excerpt gets what comes before the part on its line (`X-Sig: `, `GET `: a method or a
 * header's name, never a value), so that the caret stands under the column said.
 */
export function placeInFile<T extends Placed>(d: T, request: HttpRequest, text: string): T {
  const located = partOf(d, request);
  if (!located) return d;
  const { runs, source } = located;
  const move = (span: Diagnostic["span"]) => {
    const start = filePosition(runs, span.offset);
    const end = filePosition(runs, span.offset + span.length);
    return { offset: start.offset, line: start.line, column: start.column, length: end.offset - start.offset };
  };
  const moved: T = { ...d, span: move(d.span) };
  if (d.fix) moved.fix = { ...d.fix, span: move(d.fix.span) };
  // The excerpt is of the part's line: when that line is one line of the file and shown from its
  // start, put the file's text before it in front.
  const lineStart = source.lastIndexOf("\n", d.span.offset - 1) + 1;
  const first = filePosition(runs, lineStart);
  if (!d.excerpt.text.startsWith("…") && first.line === moved.span.line) {
    const before = text.slice(first.offset - (first.column - 1), first.offset).replace(/[^\x20-\x7e]/g, " ");
    moved.excerpt = { ...d.excerpt, text: before + d.excerpt.text, caretColumn: d.excerpt.caretColumn + before.length };
  }
  return moved;
}

/**
 * The part of the request a diagnostic is in, by its `where`: its text and where that text is in
 * the file. Of two headers of one name, the first whose value holds the span.
 */
function partOf(d: Placed, request: HttpRequest): { runs: TextRun[]; source: string } | undefined {
  const { positions } = request;
  if (d.where === "URL") return { runs: positions.url, source: request.url };
  if (d.where === "body" && request.body !== undefined) return { runs: positions.body, source: request.body };
  if (d.where?.startsWith("header ")) {
    const name = d.where.slice("header ".length);
    const end = d.span.offset + d.span.length;
    const candidates = request.headers.flatMap(([n, value], i) => (n === name ? [{ value, i }] : []));
    const chosen = candidates.find((c) => end <= c.value.length) ?? candidates[0];
    const runs = chosen && positions.headers[chosen.i];
    if (chosen && runs) return { runs, source: chosen.value };
  }
  return undefined;
}
