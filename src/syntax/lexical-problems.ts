import { type IToken, tokenMatcher } from "chevrotain";
import type { Problem } from "../language/errors.ts";
import type { LexFailure } from "./lexer.ts";
import { UnterminatedString } from "./tokens.ts";

/**
 * The first lexical problem among a block's tokens and the characters no token matched:
 * an unclosed string, or an unexpected character. One a block, because what follows the
 * first one rarely means anything.
 */
export function lexicalProblem(
  tokens: readonly IToken[],
  failures: readonly LexFailure[],
  source: string,
  delimiter: "{" | "<" | undefined,
): Problem | undefined {
  const unterminated = tokens.find((t) => tokenMatcher(t, UnterminatedString));
  const failure = failures[0];
  if (unterminated && (!failure || unterminated.startOffset < failure.offset)) {
    return {
      code: "UNTERMINATED_STRING",
      message: "this string is never closed",
      offset: unterminated.startOffset,
      length: 1,
      hint: `close it with ${unterminated.image[0]} on the same line; write \\n for a line break inside a string`,
    };
  }
  if (!failure) return undefined;
  return {
    code: "UNEXPECTED_CHARACTER",
    message: "unexpected character in a hash expression",
    offset: failure.offset,
    length: 1,
    hint: characterHint(source[failure.offset] ?? "", delimiter),
  };
}

function characterHint(char: string, delimiter: "{" | "<" | undefined): string {
  if (char === "}" && delimiter === "<") return "a block that starts with '<' ends with ';>'";
  if (char === ">" && delimiter === "{") return "a block that starts with '{' ends with ';}'";
  if (char === "[") return 'methods are called as .name(…), as in hash.append("…")';
  if (char === "+") return "join values with .append(…)";
  if (char === "“" || char === "”" || char === "‘" || char === "’") {
    return "typographic quotes are not string quotes: use \" or '";
  }
  return "an expression holds only hash, .method(…) calls, quoted strings and whole numbers";
}
