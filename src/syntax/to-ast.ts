// The leaves of the AST, made from tokens as the parser (parser.ts) reads them.
import type { IToken } from "chevrotain";
import type { IntegerLiteral, Span, StringLiteral } from "../language/ast.ts";
import type { Problem } from "../language/errors.ts";

// With positionTracking "onlyOffset" chevrotain records where a token starts, not where it
// ends; no token spans a line break, so its image gives the length.
export function tokenSpan(token: IToken): Span {
  return { offset: token.startOffset, length: token.image.length };
}

const ESCAPES: Record<string, string> = { "\\": "\\", '"': '"', "'": "'", n: "\n", r: "\r", t: "\t" };

/** The value of a string literal token, or a problem at the first escape it does not know. */
function unquote(token: IToken, problems: Problem[]): string {
  const image = token.image;
  const end = image.length - 1;
  // The text between escapes is copied in runs: a character at a time, a 1 MiB literal made a
  // million intermediate strings and spent most of its time collecting them.
  let out = "";
  let from = 1;
  for (let i = image.indexOf("\\", 1); i !== -1 && i < end; i = image.indexOf("\\", from)) {
    out += image.slice(from, i);
    const next = image[i + 1] as string;
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      from = i + 2;
    } else if (next === "u" && /^[0-9A-Fa-f]{4}$/.test(image.slice(i + 2, i + 6))) {
      out += String.fromCharCode(Number.parseInt(image.slice(i + 2, i + 6), 16));
      from = i + 6;
    } else {
      problems.push({
        code: "INVALID_ESCAPE",
        message: next === "u" ? "\\u needs exactly four hex digits" : "unknown escape sequence",
        offset: token.startOffset + i,
        length: 2,
        hint: String.raw`the escapes are \\ \" \' \n \r \t and \uXXXX; write \\ for a backslash`,
      });
      from = i + 2;
    }
  }
  out += image.slice(from, end);
  // A lone surrogate has no UTF-8 form: TextEncoder would sign U+FFFD in its place.
  if (LONE_SURROGATE.test(out)) {
    problems.push({
      code: "INVALID_ESCAPE",
      message: "the string holds half of a surrogate pair",
      offset: token.startOffset,
      length: image.length,
      hint: `${String.raw`write a character outside the BMP as a whole pair: \uD83D\uDE00`} is 😀`,
    });
  }
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function integer(token: IToken, problems: Problem[]): IntegerLiteral {
  const span = tokenSpan(token);
  const value = Number(token.image);
  if (!/^-?[0-9]+$/.test(token.image)) {
    problems.push({
      code: "INVALID_NUMBER",
      message: "not a whole number",
      ...span,
      hint: 'numbers are whole decimal numbers such as 240 or -60; put any other text in quotes: "1.5"',
    });
  } else if (!Number.isSafeInteger(value)) {
    problems.push({
      code: "INVALID_NUMBER",
      message: "whole number too large",
      ...span,
      hint: `numbers must lie within ±${Number.MAX_SAFE_INTEGER}; put long digit strings in quotes`,
    });
  }
  return { type: "Integer", value, span };
}

/** A string literal token as the AST holds it: its value, or a problem at a bad escape. */
export function stringLiteral(token: IToken, problems: Problem[]): StringLiteral {
  return { type: "String", value: unquote(token, problems), span: tokenSpan(token) };
}
