import { type IToken, tokenMatcher } from "chevrotain";
import type { Span } from "./ast.ts";
import { mergeSpans } from "./errors.ts";
import { type LexFailure, tokenize } from "./lexer/lexer.ts";
import { BlockClose, BlockOpen, Identifier, LParen, RParen, UnterminatedString } from "./lexer/tokens.ts";
import { methods } from "./methods.ts";
import { suggest } from "./suggest.ts";

/**
 * The argument lists that may hold a key, as spans to show masked. Found from tokens alone so
 * it works on templates that do not parse. A call's arguments are masked when its method has
 * a secret parameter, and also when the method is unknown unless its nearest known name has
 * none: `encodeHmacSha265("k")` is masked, `appendd("x")` is not. The spans are in order
 * and never overlap.
 */
export function secretSpans(tokens: readonly IToken[], end: number): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as IToken;
    // An unclosed string runs to the end of its line and may swallow the calls after it, keys
    // included (`append("x).encodeHmacSha1("k")`): from its next quote on, it is masked.
    if (tokenMatcher(token, UnterminatedString)) {
      const quote = token.image.slice(1).search(/["']/);
      if (quote !== -1) spans.push({ offset: token.startOffset + 1 + quote, length: token.image.length - 1 - quote });
      continue;
    }
    if (i + 1 >= tokens.length) break;
    const name = tokens[i] as IToken;
    const open = tokens[i + 1] as IToken;
    if (!tokenMatcher(name, Identifier) || !tokenMatcher(open, LParen) || !mayHoldSecret(name.image)) continue;
    let depth = 0;
    let close = end;
    let j = i + 1;
    for (; j < tokens.length; j++) {
      const t = tokens[j] as IToken;
      if (tokenMatcher(t, LParen)) depth++;
      else if (tokenMatcher(t, RParen) && --depth === 0) {
        close = t.startOffset;
        break;
      }
    }
    const from = open.startOffset + 1;
    if (close > from) spans.push({ offset: from, length: close - from });
    // Calls inside a masked argument list are masked with it; spans never overlap.
    i = j;
  }
  return spans;
}

function mayHoldSecret(name: string): boolean {
  const method = methods.get(name) ?? methods.get(suggest(name, methods.keys()) ?? "");
  return method === undefined || method.params.some((p) => p.secret);
}

/**
 * Key arguments found in the raw text, whatever the lexer made of it: an unbalanced quote
 * earlier on a line can turn `encodeHmacSha1('k')` into the end of one string, a name and the
 * start of another, where no token-based rule sees a key. After every `name(` whose method may
 * hold a secret, the quoted run that follows (to its closing quote, or to the end of the line)
 * or else everything up to the next `)` is masked.
 */
export function textualSecretSpans(source: string): Span[] {
  const spans: Span[] = [];
  let closeEnd = 0;
  // Where the last scan for a closing quote found none: a later scan for the same quote that
  // starts before there ends there too, which keeps the whole pass linear.
  let unclosed: { quote: string; end: number } | undefined;
  // Each '(' is found with indexOf and its name read backwards: a regex for `name\s*\(` would
  // backtrack over every long name that no '(' follows, quadratic in a 64 KiB template.
  for (let paren = source.indexOf("("); paren !== -1; paren = source.indexOf("(", paren + 1)) {
    const from = paren + 1;
    let nameEnd = paren;
    while (nameEnd > 0 && (source[nameEnd - 1] === " " || source[nameEnd - 1] === "\t")) nameEnd--;
    let nameStart = nameEnd;
    while (nameStart > 0 && /[\w$]/.test(source[nameStart - 1] as string)) nameStart--;
    // Digits stuck to the front are not part of a name: `240.5encodeHmacSha1(` is a typo'd call.
    const name = source.slice(nameStart, nameEnd).replace(/^[0-9]+/, "");
    if (name === "" || !mayHoldSecret(name)) continue;
    let i = from;
    while (source[i] === " " || source[i] === "\t") i++;
    const quote = source[i];
    let end: number;
    if (quote === '"' || quote === "'") {
      // Every call is scanned, inside masked text too: a masked run may end on the opening
      // quote of the key that follows (`encodeHmacSha1("x).…encodeHmacSha1("k")`).
      if (unclosed && unclosed.quote === quote && i < unclosed.end) {
        end = unclosed.end;
      } else {
        end = i + 1;
        while (end < source.length && source[end] !== quote && source[end] !== "\n")
          end += source[end] === "\\" ? 2 : 1;
        if (source[end] === quote) end++;
        else unclosed = { quote, end };
      }
    } else if (i < closeEnd) {
      // The last scan for ')' started earlier and found none before closeEnd: this one ends there.
      end = closeEnd;
    } else {
      end = i;
      while (end < source.length && source[end] !== ")" && source[end] !== "\n") end++;
      closeEnd = end;
    }
    end = Math.min(end, source.length);
    if (end > from) spans.push({ offset: from, length: end - from });
  }
  return spans;
}

/**
 * The spans of every key argument in a template, found three ways and joined: from the tokens of
 * its blocks; from the tokens of the whole text as if it were one expression, so that a key call
 * a typo has pushed out of its block (`{hash.append("x")}.encodeHmacSha1("k")…`) is masked too;
 * and from the raw text, whatever the lexer made of it.
 */
export function errorMasks(source: string): Span[] {
  const { tokens, failures } = tokenize(source, "text");
  const inBlocks = splitBlocks(tokens, failures, source.length).flatMap((raw) => secretSpans(raw.tokens, raw.end));
  return mergeSpans([
    ...inBlocks,
    ...secretSpans(tokenize(source, "bare").tokens, source.length),
    ...textualSecretSpans(source),
  ]);
}

/** The tokens of one block, from its opener to its closer if it has one. */
interface RawBlock {
  tokens: IToken[];
  closed: boolean;
  end: number;
  failures: LexFailure[];
}

function splitBlocks(tokens: readonly IToken[], failures: readonly LexFailure[], length: number): RawBlock[] {
  const blocks: RawBlock[] = [];
  let current: RawBlock | undefined;
  for (const token of tokens) {
    if (tokenMatcher(token, BlockOpen)) {
      current = { tokens: [token], closed: false, end: length, failures: [] };
      blocks.push(current);
    } else if (current) {
      current.tokens.push(token);
      if (tokenMatcher(token, BlockClose)) {
        current.closed = true;
        current.end = token.startOffset + 1;
        current = undefined;
      }
    }
  }
  // Text mode matches every character, so every failure lies inside some block.
  let b = 0;
  for (const failure of failures) {
    while (b < blocks.length && (blocks[b] as RawBlock).end <= failure.offset) b++;
    blocks[b]?.failures.push(failure);
  }
  return blocks;
}
