// The files of `.load` and `.save`: read bounded, as the CLI reads its inputs, written for their
// owner alone, as the history is.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { defaultLimits, type RequestTemplate } from "../../index.ts";
import { HttpFileError, httpRequestTemplate, type Placed, parseHttpFile, placeInFile } from "../cli/http-file.ts";
import { expandHome } from "./complete.ts";

type Pairs = (readonly [string, string])[];

/** A file that cannot be loaded or saved: the message names the file, never its text. */
export class FileProblem extends Error {}

// UTF-8 takes at most 3 bytes a UTF-16 code unit: a template file within maxTemplateLength
// (and its newline) is no longer than this; a request file holds a URL, headers and a body.
const TEMPLATE_BYTES = 3 * defaultLimits.maxTemplateLength + 2;
const REQUEST_FILE_BYTES = 16 * TEMPLATE_BYTES;

/** The file's name as a message shows it: control characters escaped, so none reaches the terminal. */
export function shownPath(path: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: those are what it escapes
  return path.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** `.http` and `.rest` are the HTTP Client's and REST Client's request files; anything else is a template. */
export function isRequestFile(path: string): boolean {
  return /\.(?:http|rest)$/i.test(path);
}

/**
 * The text of a file, UTF-8, read up to the bound of its kind: a FIFO or /dev/zero is never read
 * whole. One trailing newline is the editor's, not the template's, and is dropped.
 */
export function readInput(path: string): string {
  const file = expandHome(path);
  const max = isRequestFile(path) ? REQUEST_FILE_BYTES : TEMPLATE_BYTES;
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    throw new FileProblem(`cannot read ${shownPath(path)}: ${reason(e)}`);
  }
  try {
    if (!fstatSync(fd).isFile()) throw new FileProblem(`cannot read ${shownPath(path)}: not a file`);
    const buffer = Buffer.alloc(max + 1);
    let size = 0;
    for (let n = 1; n > 0 && size <= max; size += n) n = readSync(fd, buffer, size, buffer.length - size, null);
    if (size > max) throw new FileProblem(`${shownPath(path)} is longer than a ${kind(path)} may be`);
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(buffer.subarray(0, size));
    } catch {
      throw new FileProblem(`${shownPath(path)} is not UTF-8 text`);
    }
    text = text.replace(/\r?\n$/, "");
    if (!isRequestFile(path) && text.length > defaultLimits.maxTemplateLength) {
      throw new FileProblem(`${shownPath(path)} is longer than a template may be`);
    }
    return text;
  } catch (e) {
    if (e instanceof FileProblem) throw e;
    throw new FileProblem(`cannot read ${shownPath(path)}: ${reason(e)}`);
  } finally {
    closeSync(fd);
  }
}

export interface LoadedRequest {
  /** `# @name`, the title after `###`, or undefined. */
  name: string | undefined;
  /** The 1-based line of its request line. */
  line: number;
  /** The request as written (what .save masks). */
  template: RequestTemplate<Pairs>;
  /** Why `hash-helper sign` refuses it (a GET with a body…), naming the file and line, or undefined. */
  refused?: string | undefined;
  /** A lint diagnostic or an error's problem of this request, moved from its part to the file. */
  place: <T extends Placed>(d: T) => T;
}

/**
 * The requests of a `.http` file, each read by httpRequestTemplate() as `hash-helper sign
 * request.http` reads it: one it refuses carries the reason.
 */
export function requestsOf(path: string, text: string): LoadedRequest[] {
  let parsed: ReturnType<typeof parseHttpFile>;
  try {
    parsed = parseHttpFile(text);
  } catch (e) {
    if (e instanceof HttpFileError) throw new FileProblem(`${shownPath(path)}, ${e.message}`);
    throw e;
  }
  if (parsed.length === 0) throw new FileProblem(`${shownPath(path)} holds no request`);
  return parsed.map((r) => {
    const loaded: LoadedRequest = {
      name: r.name,
      line: r.line,
      template: { method: r.method, url: r.url, headers: r.headers, body: r.body },
      place: (d) => placeInFile(d, r, text),
    };
    try {
      loaded.template = httpRequestTemplate(r);
    } catch (e) {
      if (!(e instanceof HttpFileError)) throw e;
      loaded.refused = `${shownPath(path)}, ${e.message}`;
    }
    return loaded;
  });
}

function kind(path: string): string {
  return isRequestFile(path) ? "request file" : "template";
}

/** A system error's code (ENOENT, EACCES, EISDIR), which says why without quoting anything. */
export function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "a directory";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return typeof code === "string" ? code : "cannot be opened";
}
