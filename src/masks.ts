import { type IToken, tokenMatcher } from "chevrotain";
import type { Span } from "./ast.ts";
import { Identifier, LParen, RParen } from "./lexer/tokens.ts";
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
  for (let i = 0; i + 1 < tokens.length; i++) {
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
