// The reference model of src/language/methods/strings.ts, from docs/methods.md: written again from
// what each method is documented to do (RFC 3986 §2.1, §2.3, §5.2.4; JavaScript's own case
// mapping), with Buffer for bytes, and nothing of src/.
import { Buffer, isUtf8 } from "node:buffer";
import { createHmac } from "node:crypto";
import {
  type ExampleContext,
  type ExampleResult,
  type ModelMethod,
  percentEncoded,
  Refusal,
  type Value,
} from "./core.ts";

const text = (gives: (input: string, args: readonly (Value | number)[]) => string): ModelMethod => ({
  gives: "text",
  run: (input, args) => gives(input as string, args),
});

const isSpace = (c: string) => c === " " || c === "\t";

/** Spaces and tabs only, at either end: not line breaks, not U+00A0 or other Unicode spaces. */
function trim(s: string): string {
  const chars = [...s];
  while (chars.length > 0 && isSpace(chars[0] as string)) chars.shift();
  while (chars.length > 0 && isSpace(chars[chars.length - 1] as string)) chars.pop();
  return chars.join("");
}

function collapseSpaces(s: string): string {
  let out = "";
  let inRun = false;
  for (const c of s) {
    if (isSpace(c)) {
      if (!inRun) out += " ";
      inRun = true;
    } else {
      out += c;
      inRun = false;
    }
  }
  return out;
}

/** ECMA-262 String.prototype.substring: each index clamped to 0…length, then the two in order. */
function substring(s: string, start: number, end: number | undefined): string {
  const clamp = (n: number) => Math.min(Math.max(n, 0), s.length);
  const a = clamp(start);
  const b = end === undefined ? s.length : clamp(end);
  return s.slice(Math.min(a, b), Math.max(a, b));
}

function replace(s: string, find: string, replacement: string): string {
  if (find === "") throw new Refusal("INVALID_ARGUMENT");
  const parts: string[] = [];
  let from = 0;
  for (;;) {
    const at = s.indexOf(find, from);
    if (at < 0) break;
    parts.push(s.slice(from, at), replacement);
    from = at + find.length;
  }
  parts.push(s.slice(from));
  return parts.join("");
}

const HEX2 = /^[0-9A-Fa-f]{2}$/;

/**
 * The pieces of a text as percent-decoding sees it: a run of %XX escapes is bytes, anything else
 * is text as it stands. A '%' without two hex digits after it cannot be decoded.
 */
function pieces(s: string): (string | Buffer)[] {
  const out: (string | Buffer)[] = [];
  let raw = "";
  let escaped: number[] = [];
  const flush = () => {
    if (raw) out.push(raw);
    if (escaped.length > 0) out.push(Buffer.from(escaped));
    raw = "";
    escaped = [];
  };
  for (let i = 0; i < s.length; ) {
    if (s[i] === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!HEX2.test(hex)) throw new Refusal("INVALID_ENCODING");
      if (raw) flush();
      escaped.push(Number.parseInt(hex, 16));
      i += 3;
    } else {
      if (escaped.length > 0) flush();
      raw += s[i];
      i++;
    }
  }
  flush();
  return out;
}

/** Percent-decoding to text: each run of escapes must be UTF-8 (RFC 3629); + is a plus. */
function decodeURL(s: string): string {
  return pieces(s)
    .map((p) => {
      if (typeof p === "string") return p;
      if (!isUtf8(p)) throw new Refusal("INVALID_ENCODING");
      return p.toString("utf8");
    })
    .join("");
}

/** Percent-decoding to bytes: text as UTF-8 (a lone surrogate as U+FFFD), escapes as their byte. */
const decodedBytes = (s: string) =>
  Buffer.concat(pieces(s).map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : p)));

function canonicalQuery(s: string): string {
  const params = s
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const [name, value] = eq < 0 ? [pair, ""] : [pair.slice(0, eq), pair.slice(eq + 1)];
      return {
        name: Buffer.from(percentEncoded(decodedBytes(name))),
        value: Buffer.from(percentEncoded(decodedBytes(value))),
      };
    });
  params.sort((a, b) => Buffer.compare(a.name, b.name) || Buffer.compare(a.value, b.value));
  return params.map((p) => `${p.name}=${p.value}`).join("&");
}

/** RFC 3986 §5.2.4 remove_dot_segments, step by step as the RFC writes it, then runs of '/' as one. */
function normalizePath(path: string): string {
  let input = path;
  let output = "";
  const dropLastSegment = () => {
    output = output.slice(0, Math.max(output.lastIndexOf("/"), 0));
  };
  while (input !== "") {
    if (input.startsWith("../")) input = input.slice(3);
    else if (input.startsWith("./")) input = input.slice(2);
    else if (input.startsWith("/./")) input = input.slice(2);
    else if (input === "/.") input = "/";
    else if (input.startsWith("/../")) {
      input = input.slice(3);
      dropLastSegment();
    } else if (input === "/..") {
      input = "/";
      dropLastSegment();
    } else if (input === "." || input === "..") input = "";
    else {
      const segment = (/^\/?[^/]*/.exec(input) as RegExpExecArray)[0];
      output += segment;
      input = input.slice(segment.length);
    }
  }
  return output.replace(/\/+/g, "/");
}

export const stringModels: Readonly<Record<string, ModelMethod>> = {
  toLowerCase: text((s) => s.toLowerCase()),
  toUpperCase: text((s) => s.toUpperCase()),
  trim: text(trim),
  collapseSpaces: text(collapseSpaces),
  substring: text((s, [start, end]) => substring(s, start as number, end as number | undefined)),
  replace: text((s, [find, replacement]) => replace(s, find as string, replacement as string)),
  decodeURL: text(decodeURL),
  canonicalQuery: text(canonicalQuery),
  normalizePath: text(normalizePath),
};

export function stringExamples(c: ExampleContext): Record<string, ExampleResult> {
  const svix = c.secret("svix");
  return {
    toLowerCase: "x-amz-date",
    toUpperCase: createHmac("sha256", "secretKey").update("data").digest("hex").toUpperCase(),
    trim: "example.amazonaws.com",
    collapseSpaces: "value with spaces",
    substring: svix === undefined ? { code: "MISSING_SECRET" } : svix.slice(6),
    replace: "a3=2%20q",
    decodeURL: "a b+c+d",
    canonicalQuery: "page=2&q=a%2Bb%2Fc&size=10",
    normalizePath: "/v1/users",
  };
}
