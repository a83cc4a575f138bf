// Functions on text: case, spaces, parts of it, and the canonical forms signing schemes need.
import { percentEncode, percentEncodedLength, utf8Length } from "../encoding.ts";
import { type Method, MethodFailure } from "../method.ts";

export const stringMethods: readonly Method[] = [
  {
    name: "toLowerCase",
    params: [],
    input: ["text"],
    output: "text",
    reveals: true,
    summary: "Lowercase by Unicode's default case mapping (JavaScript's toLowerCase, the same in every locale).",
    example: `hash.append("X-Amz-Date").toLowerCase()`,
    run: (input) => (input as string).toLowerCase(),
    size: (input) => mappedLength(input as string, "lower"),
  },
  {
    name: "toUpperCase",
    params: [],
    input: ["text"],
    output: "text",
    reveals: true,
    summary: "Uppercase by Unicode's default case mapping (JavaScript's toUpperCase, the same in every locale).",
    example: `hash.append("data").encodeHmacSha256("secretKey").toHex().toUpperCase()`,
    run: (input) => (input as string).toUpperCase(),
    size: (input) => mappedLength(input as string, "upper"),
  },
  {
    name: "trim",
    params: [],
    input: ["text"],
    output: "text",
    reveals: true,
    summary: "Remove the spaces and tabs at the start and the end (not line breaks, not other Unicode spaces).",
    example: `hash.append(" example.amazonaws.com\\t").trim()`,
    run: (input) => trimSpaces(input as string),
  },
  {
    name: "collapseSpaces",
    params: [],
    input: ["text"],
    output: "text",
    reveals: true,
    summary: "Turn every run of spaces and tabs into one space, as canonical header values need (it does not trim).",
    example: `hash.append("value  with \\t spaces").collapseSpaces()`,
    run: (input) => (input as string).replace(SPACES, " "),
  },
  {
    name: "substring",
    params: [
      { name: "start", accepts: ["integer"], bound: "maxValueSize" },
      { name: "end", accepts: ["integer"], optional: true, bound: "maxValueSize" },
    ],
    input: ["text"],
    output: "text",
    reveals: true,
    summary:
      "The text from UTF-16 index start up to end (or its end), as JavaScript's substring: indexes clamped to 0…length, swapped if start > end.",
    example: `hash.getSecret("svix").substring(6)`,
    run: (input, [start, end]) => (input as string).substring(start as number, end as number | undefined),
  },
  {
    name: "replace",
    params: [
      { name: "find", accepts: ["text"], validate: (find) => (find === "" ? EMPTY_FIND : undefined) },
      { name: "replacement", accepts: ["text"] },
    ],
    input: ["text"],
    output: "text",
    reveals: true,
    summary: "Replace every occurrence of the text find (as it is: no patterns, no $ substitutions) with replacement.",
    example: `hash.append("a3=2+q").replace("+", "%20")`,
    run: (input, [find, replacement]) => (input as string).split(findOf(find)).join(replacement as string),
    size: (input, [find, replacement]) => {
      const text = input as string;
      const found = findOf(find);
      let count = 0;
      for (let at = text.indexOf(found); at !== -1; at = text.indexOf(found, at + found.length)) count++;
      return text.length + count * ((replacement as string).length - found.length);
    },
  },
  {
    name: "decodeURL",
    params: [],
    parses: true,
    input: ["text"],
    output: "text",
    reveals: true,
    summary: "Percent-decode (%XX escapes spelling UTF-8); + stays +; a malformed escape is an error.",
    example: `hash.append("a%20b%2Bc+d").decodeURL()`,
    run: (input) => decodeURL(input as string),
  },
  {
    name: "canonicalQuery",
    params: [],
    parses: true,
    input: ["text"],
    output: "text",
    reveals: true,
    summary:
      "SigV4's, GCS's and OAuth 1.0a's canonical query: each name=value pair decoded and encoded again (RFC 3986, + as %2B), sorted by name, then value.",
    example: `hash.append("size=10&page=2&q=a+b%2fc").canonicalQuery()`,
    run: (input) => canonicalQuery(input as string),
    size: (input) => canonicalQueryLength(input as string),
  },
  {
    name: "normalizePath",
    params: [],
    parses: true,
    input: ["text"],
    output: "text",
    reveals: true,
    summary:
      "Remove . and .. segments (RFC 3986 §5.2.4), then turn every run of / into one: /a/./b/../c//d gives /a/c/d (escapes stay as they are).",
    example: `hash.append("/v1//items/./../users").normalizePath()`,
    run: (input) => normalizePath(input as string),
  },
];

// ---------------------------------------------------------------------------------------------
// Case

/**
 * How many UTF-16 code units longer than the text its case mapping is, without mapping it: a few
 * characters map to more than one (ß to SS, İ to i̇, ﬃ to FFI). ECMA-262 maps code point by code
 * point (only Final_Sigma looks at context, and σ and ς have one unit each), and no character
 * outside the BMP changes length, so one table of the BMP's code units, made on first use, is exact.
 */
function mappedLength(text: string, to: "lower" | "upper"): number {
  if (!NON_ASCII.test(text)) return text.length;
  const extra = growth[to] ?? growthTable(to);
  let n = text.length;
  for (let i = 0; i < text.length; i++) n += extra[text.charCodeAt(i)] as number;
  return n;
}

const NON_ASCII = /[\u0080-\uffff]/;
const growth: { lower?: Uint8Array; upper?: Uint8Array } = {};

function growthTable(to: "lower" | "upper"): Uint8Array {
  const table = new Uint8Array(0x10000);
  for (let c = 0x80; c < 0x10000; c++) {
    const s = String.fromCharCode(c);
    table[c] = (to === "lower" ? s.toLowerCase() : s.toUpperCase()).length - 1;
  }
  growth[to] = table;
  return table;
}

// ---------------------------------------------------------------------------------------------
// Spaces

const SPACES = /[ \t]+/g;
const isSpace = (c: number) => c === 0x20 || c === 0x09;

// By index, not with /[ \t]+$/, which tries every run of spaces in the text and is quadratic.
export function trimSpaces(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return text.slice(start, end);
}

// ---------------------------------------------------------------------------------------------
// Replacing

const EMPTY_FIND = "find is empty, so there is nothing to replace";

function findOf(find: unknown): string {
  if (find === "") {
    throw new MethodFailure("INVALID_ARGUMENT", EMPTY_FIND, "check the value the nested expression for find gives");
  }
  return find as string;
}

// ---------------------------------------------------------------------------------------------
// Percent-encoding (RFC 3986 §2.1)

const MALFORMED = "the value holds a '%' not followed by two hex digits";
const MALFORMED_HINT = "a '%' that stands for itself is written %25";

function malformed(): MethodFailure {
  return new MethodFailure("INVALID_ENCODING", MALFORMED, MALFORMED_HINT);
}

// decodeURIComponent is RFC 3986 percent-decoding of UTF-8 (ECMA-262 §19.2.6.5): it decodes
// every escape, leaves + and the other characters as they are, and refuses a '%' without two hex
// digits and escapes whose bytes are not UTF-8 (RFC 3629: no overlong forms, no surrogates).
function decodeURL(text: string): string {
  if (!text.includes("%")) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    if (/%(?![0-9A-Fa-f]{2})/.test(text)) throw malformed();
    throw new MethodFailure(
      "INVALID_ENCODING",
      "the value's %-escapes are not UTF-8, so they spell no text",
      "escape a character as every byte of its UTF-8 form (é is %C3%A9)",
    );
  }
}

/** The byte of the escape at `at` (a '%'), or -1 when two hex digits do not follow it. */
function escapedByte(text: string, at: number): number {
  const hi = hexDigit(text.charCodeAt(at + 1));
  const lo = hexDigit(text.charCodeAt(at + 2));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

// RFC 3986 §2.3: the unreserved characters.
const unreserved = (b: number) =>
  (b >= 0x41 && b <= 0x5a) ||
  (b >= 0x61 && b <= 0x7a) ||
  (b >= 0x30 && b <= 0x39) ||
  b === 0x2d ||
  b === 0x2e ||
  b === 0x5f ||
  b === 0x7e;

const encoder = new TextEncoder();

/**
 * A query's name or value, percent-decoded to bytes and encoded again (RFC 3986: all but the
 * unreserved characters, uppercase hex): `%7e` becomes `~`, `%2f` `%2F`, `+` `%2B`, `é` `%C3%A9`.
 * Decoding to bytes, not text, keeps any escape: `%FF` is `%FF` again.
 */
function reencode(text: string): string {
  if (!text.includes("%")) return percentEncode(text);
  // Escapes shrink to a byte each; the rest is its UTF-8 form.
  const bytes = new Uint8Array(utf8Length(text));
  let n = 0;
  let from = 0;
  for (let at = text.indexOf("%"); at !== -1; at = text.indexOf("%", from)) {
    const b = escapedByte(text, at);
    if (b < 0) throw malformed();
    if (at > from) n += encoder.encodeInto(text.slice(from, at), bytes.subarray(n)).written;
    bytes[n++] = b;
    from = at + 3;
  }
  if (from < text.length) n += encoder.encodeInto(text.slice(from), bytes.subarray(n)).written;
  return percentEncode(bytes.subarray(0, n));
}

/** The length of reencode(text), without making it. */
function reencodedLength(text: string): number {
  if (!text.includes("%")) return percentEncodedLength(text);
  let n = 0;
  let from = 0;
  for (let at = text.indexOf("%"); at !== -1; at = text.indexOf("%", from)) {
    const b = escapedByte(text, at);
    if (b < 0) throw malformed();
    n += percentEncodedLength(text.slice(from, at)) + (unreserved(b) ? 1 : 3);
    from = at + 3;
  }
  return n + percentEncodedLength(text.slice(from));
}

/** Each non-empty `&`-separated pair of a query, split at its first `=` (none: an empty value). */
function forEachPair(query: string, visit: (name: string, value: string) => void): void {
  let from = 0;
  while (from <= query.length) {
    let end = query.indexOf("&", from);
    if (end === -1) end = query.length;
    if (end > from) {
      // Looked for within the pair: in the whole query it would be quadratic (a&a&a&…&a=1).
      const pair = query.slice(from, end);
      const eq = pair.indexOf("=");
      if (eq === -1) visit(pair, "");
      else visit(pair.slice(0, eq), pair.slice(eq + 1));
    }
    from = end + 1;
  }
}

// Encoded names and values hold no NUL, which sorts before every character they can hold: keys of
// name NUL value, sorted as strings, are in the order of name and then value (by code unit, which
// for this ASCII text is byte order), as AWS SigV4 and RFC 5849 §3.4.1.3.2 sort them.
function canonicalQuery(query: string): string {
  const keys: string[] = [];
  forEachPair(query, (name, value) => {
    keys.push(`${reencode(name)}\0${reencode(value)}`);
  });
  return keys.sort().join("&").replace(/\0/g, "=");
}

function canonicalQueryLength(query: string): number {
  let n = -1; // no & before the first pair
  forEachPair(query, (name, value) => {
    n += reencodedLength(name) + 1 + reencodedLength(value) + 1;
  });
  return Math.max(n, 0);
}

// ---------------------------------------------------------------------------------------------
// Paths

/**
 * RFC 3986 §5.2.4 remove_dot_segments, with the output buffer kept as the segments rule E moved
 * to it (each "/segment", or the first "segment" of a relative path), which is what rule C's
 * "last segment and its preceding /" is; then every run of '/' becomes one. Linear in the path.
 */
function normalizePath(path: string): string {
  const out: string[] = [];
  const n = path.length;
  let i = 0;
  while (i < n) {
    if (path.startsWith("../", i))
      i += 3; // A
    else if (path.startsWith("./", i))
      i += 2; // A
    else if (path.startsWith("/./", i))
      i += 2; // B: the input now starts with the second '/'
    else if (i + 2 === n && path.startsWith("/.", i)) {
      out.push("/"); // B, then E moves the "/" it leaves
      break;
    } else if (path.startsWith("/../", i)) {
      i += 3; // C
      out.pop();
    } else if (i + 3 === n && path.startsWith("/..", i)) {
      out.pop(); // C, then E
      out.push("/");
      break;
    } else if ((i + 1 === n && path[i] === ".") || (i + 2 === n && path.startsWith("..", i))) {
      break; // D
    } else {
      // E: the first segment, with its '/' if it has one, up to the next '/'.
      let end = path.indexOf("/", path[i] === "/" ? i + 1 : i);
      if (end === -1) end = n;
      out.push(path.slice(i, end));
      i = end;
    }
  }
  return out.join("").replace(/\/{2,}/g, "/");
}
