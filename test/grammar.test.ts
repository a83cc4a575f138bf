// grammar/hash-helper.ebnf is written by hand; these keep it the same language as the lexer and
// the parser. The EBNF is read as it is (a small interpreter of its W3C notation, below) and
// run against the code on the examples it lists and on generated inputs: each token rule must
// match exactly the strings its token's pattern matches, the look-ahead BlockStart must agree
// with the lexer's, and the parser's rules must accept exactly what the parser accepts.
import { readFileSync } from "node:fs";
import { fc, it } from "@fast-check/vitest";
import { type IToken, tokenMatcher } from "chevrotain";
import { describe, expect } from "vitest";
import type { StringLiteral as StringNode } from "../src/language/ast.ts";
import { defaultLimits } from "../src/language/limits.ts";
import { lexBlocks, tokenize } from "../src/syntax/lexer.ts";
import { parseBare, parseBlock } from "../src/syntax/parse.ts";
import { HashHelperParser } from "../src/syntax/parser.ts";
import {
  Identifier,
  NumberLiteral,
  opensBlock,
  StringLiteral,
  UnterminatedString,
  WhiteSpace,
} from "../src/syntax/tokens.ts";

const source = readFileSync(new URL("../grammar/hash-helper.ebnf", import.meta.url), "utf8");

// --- The notation: XML 1.0 §6, as much of it as the file uses. ---

type Expr =
  | { kind: "text"; text: string }
  | { kind: "class"; negated: boolean; ranges: [number, number][] }
  | { kind: "ref"; name: string }
  | { kind: "seq"; items: Expr[] }
  | { kind: "alt"; options: Expr[] }
  | { kind: "repeat"; item: Expr; min: 0 | 1; max: 1 | typeof Number.POSITIVE_INFINITY }
  | { kind: "minus"; item: Expr; except: Expr };

function readGrammar(text: string): Map<string, Expr> {
  const rules = new Map<string, Expr>();
  const body = text.replace(/\/\*[\s\S]*?\*\//g, " ");
  for (const [, name, definition] of body.matchAll(/^(\w+)\s*::=([\s\S]*?)(?=^\w+\s*::=|(?![\s\S]))/gm)) {
    rules.set(name as string, readExpr(definition as string));
  }
  return rules;
}

function readExpr(text: string): Expr {
  let i = 0;
  const space = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const hex = () => {
    const m = /^#x([0-9A-Fa-f]+)/.exec(text.slice(i));
    if (!m) throw new Error(`expected #xN at ${text.slice(i, i + 20)}`);
    i += m[0].length;
    return Number.parseInt(m[1] as string, 16);
  };
  const charCode = () => (text.startsWith("#x", i) ? hex() : (text.codePointAt(i++) as number));
  const alt = (): Expr => {
    const options = [seq()];
    for (space(); text[i] === "|"; space()) {
      i++;
      options.push(seq());
    }
    return options.length === 1 ? (options[0] as Expr) : { kind: "alt", options };
  };
  const seq = (): Expr => {
    const items: Expr[] = [];
    for (space(); i < text.length && !"|)".includes(text[i] as string); space()) items.push(minus());
    return items.length === 1 ? (items[0] as Expr) : { kind: "seq", items };
  };
  const minus = (): Expr => {
    const item = postfix();
    space();
    if (text[i] !== "-") return item;
    i++;
    space();
    return { kind: "minus", item, except: postfix() };
  };
  const postfix = (): Expr => {
    const item = primary();
    const op = text[i];
    if (op === "?" || op === "*" || op === "+") {
      i++;
      return { kind: "repeat", item, min: op === "+" ? 1 : 0, max: op === "?" ? 1 : Number.POSITIVE_INFINITY };
    }
    return item;
  };
  const primary = (): Expr => {
    space();
    const c = text[i];
    if (c === "(") {
      i++;
      const inner = alt();
      space();
      if (text[i++] !== ")") throw new Error("expected )");
      return inner;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      const literal = text.slice(i + 1, end);
      i = end + 1;
      return { kind: "text", text: literal };
    }
    if (c === "#") return { kind: "text", text: String.fromCodePoint(hex()) };
    if (c === "[") {
      i++;
      const negated = text[i] === "^";
      if (negated) i++;
      const ranges: [number, number][] = [];
      while (text[i] !== "]") {
        const from = charCode();
        if (text[i] === "-" && text[i + 1] !== "]") {
          i++;
          ranges.push([from, charCode()]);
        } else {
          ranges.push([from, from]);
        }
      }
      i++;
      return { kind: "class", negated, ranges };
    }
    const name = /^\w+/.exec(text.slice(i))?.[0];
    if (!name) throw new Error(`unexpected ${text.slice(i, i + 20)}`);
    i += name.length;
    return { kind: "ref", name };
  };
  const expr = alt();
  space();
  if (i !== text.length) throw new Error(`unread: ${text.slice(i)}`);
  return expr;
}

const grammar = readGrammar(source);
const rule = (name: string): Expr => {
  const found = grammar.get(name);
  if (!found) throw new Error(`grammar/hash-helper.ebnf has no rule ${name}`);
  return found;
};

/** The rules the parser has; in them, whitespace S may stand between any two tokens. */
const parserRules = Object.keys(new HashHelperParser().getGAstProductions());

/**
 * Every position at which `expr` can end when it starts at `at`. Strings are read as UTF-16
 * code units, as the lexer reads them (a template is a JavaScript string).
 */
function ends(expr: Expr, text: string, at: number, tokens: boolean): Set<number> {
  const out = new Set<number>();
  // Between two tokens of a parser rule, S is skipped; never before the input's first one.
  const starts = (from: number) => (tokens && from > 0 ? [from, ...ends(rule("S"), text, from, false)] : [from]);
  switch (expr.kind) {
    case "text":
      for (const from of starts(at)) if (text.startsWith(expr.text, from)) out.add(from + expr.text.length);
      return out;
    case "class": {
      const code = text.charCodeAt(at);
      const inside = expr.ranges.some(([lo, hi]) => code >= lo && code <= hi);
      if (at < text.length && inside !== expr.negated) out.add(at + 1);
      return out;
    }
    case "ref": {
      const inParser = parserRules.includes(expr.name);
      if (inParser) return ends(rule(expr.name), text, at, true);
      for (const from of starts(at)) for (const end of ends(rule(expr.name), text, from, false)) out.add(end);
      return out;
    }
    case "seq": {
      let here = new Set([at]);
      for (const item of expr.items) {
        const next = new Set<number>();
        for (const from of here) for (const end of ends(item, text, from, tokens)) next.add(end);
        here = next;
      }
      return here;
    }
    case "alt":
      for (const option of expr.options) for (const end of ends(option, text, at, tokens)) out.add(end);
      return out;
    case "repeat": {
      let here = new Set([at]);
      let count = 0;
      const seen = new Set<number>();
      while (here.size > 0 && count < expr.max) {
        if (count >= expr.min) for (const p of here) out.add(p);
        const next = new Set<number>();
        for (const from of here) {
          for (const end of ends(expr.item, text, from, tokens)) if (end > from && !seen.has(end)) next.add(end);
        }
        for (const p of next) seen.add(p);
        here = next;
        count++;
      }
      if (count >= expr.min) for (const p of here) out.add(p);
      return out;
    }
    case "minus": {
      const excepted = ends(expr.except, text, at, tokens);
      for (const end of ends(expr.item, text, at, tokens)) if (!excepted.has(end)) out.add(end);
      return out;
    }
  }
}

const matchesWhole = (name: string, text: string) => ends({ kind: "ref", name }, text, 0, false).has(text.length);

// --- What the code says, for each rule of the EBNF that has a counterpart in it. ---

const wholeToken = (pattern: RegExp) => (text: string) => {
  const sticky = new RegExp(pattern.source, "y");
  return sticky.exec(text)?.[0].length === text.length;
};

function bareTokens(text: string): IToken[] | undefined {
  const { tokens, failures } = tokenize(text, "bare");
  if (failures.length > 0 || tokens.some((t) => tokenMatcher(t, UnterminatedString))) return undefined;
  return tokens;
}

const SYNTAX = ["SYNTAX_ERROR", "MISSING_SEMICOLON"];

/** The one string literal argument of hash.x(…), parsed: its problems and its value. */
function literal(text: string) {
  const tokens = bareTokens(`hash.x(${text})`);
  const parsed = tokens && parseBare(tokens, defaultLimits);
  const arg = parsed?.node?.calls[0]?.args;
  return {
    codes: parsed?.problems.map((p) => p.code) ?? ["SYNTAX_ERROR"],
    arg: arg?.length === 1 ? arg[0] : undefined,
  };
}

const code: Record<string, (text: string) => boolean> = {
  Identifier: wholeToken(Identifier.PATTERN as RegExp),
  StringLiteral: wholeToken(StringLiteral.PATTERN as RegExp),
  UnterminatedString: wholeToken(UnterminatedString.PATTERN as RegExp),
  NumberLiteral: wholeToken(NumberLiteral.PATTERN as RegExp),
  S: wholeToken(WhiteSpace.PATTERN as RegExp),
  // Not tokens: 'hash' lexes as Hash, so no Identifier is ever 'hash'.
  MethodName: (text) => {
    const tokens = bareTokens(text);
    return tokens?.length === 1 && tokens[0]?.tokenType === Identifier && tokens[0].image === text;
  },
  // What the AST builder accepts (CHECKED in the EBNF).
  WholeNumber: (text) => wholeToken(NumberLiteral.PATTERN as RegExp)(text) && !literal(text).codes.length,
  Escape: (text) => {
    const { codes, arg } = literal(`"${text}"`);
    return text.startsWith("\\") && codes.length === 0 && (arg as StringNode | undefined)?.value.length === 1;
  },
  bareExpression: (text) => {
    const tokens = bareTokens(text);
    return tokens !== undefined && !parseBare(tokens, defaultLimits).problems.some((p) => SYNTAX.includes(p.code));
  },
  block: (text) => {
    const [block, ...more] = lexBlocks(text);
    if (!block || more.length > 0 || block.start !== 0 || block.end !== text.length || !block.closed) return false;
    if (block.failures.length > 0 || block.tokens.some((t) => tokenMatcher(t, UnterminatedString))) return false;
    return !parseBlock(block.tokens, defaultLimits).problems.some((p) => SYNTAX.includes(p.code));
  },
};

// --- The examples the EBNF lists. ---

const examples = [...source.matchAll(/^ {3}(yes|no) +(\w+) +(.*)$/gm)].map(([, verdict, name, text]) => ({
  yes: verdict === "yes",
  name: name as string,
  text: text as string,
}));

describe("grammar/hash-helper.ebnf", () => {
  it("reads as W3C EBNF, with every rule it refers to defined", () => {
    const refs = (e: Expr): string[] =>
      e.kind === "ref"
        ? [e.name]
        : e.kind === "seq"
          ? e.items.flatMap(refs)
          : e.kind === "alt"
            ? e.options.flatMap(refs)
            : e.kind === "repeat"
              ? refs(e.item)
              : e.kind === "minus"
                ? [...refs(e.item), ...refs(e.except)]
                : [];
    const undefinedRefs = [...grammar.values()].flatMap(refs).filter((name) => !grammar.has(name));
    expect(undefinedRefs).toStrictEqual([]);
    expect(parserRules.filter((name) => !grammar.has(name))).toStrictEqual([]);
  });

  it("lists examples of every rule the code can check, both ways", () => {
    for (const name of Object.keys(code).filter((n) => n !== "S")) {
      expect(
        examples.filter((e) => e.name === name).map((e) => e.yes),
        name,
      ).toEqual(expect.arrayContaining([true]));
    }
    expect(examples.filter((e) => !(e.name in code))).toStrictEqual([]);
  });

  it.each(examples)("$name: $text", ({ yes, name, text }) => {
    expect(matchesWhole(name, text), "by the EBNF").toBe(yes);
    expect(code[name]?.(text), "by the code").toBe(yes);
  });
});

// --- Generated inputs: the EBNF and the code must agree on every one. ---

const oneOf = (...items: string[]) => fc.constantFrom(...items);
const stringOf = (chars: fc.Arbitrary<string>, maxLength: number) =>
  fc.array(chars, { maxLength }).map((parts) => parts.join(""));

// What \s matches and a few it does not (NEL, the Mongolian vowel separator, zero width space).
const spaces = [..."\t\n\v\f\r \u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u0085\u180e\u200b"];
const tokenChars = oneOf(..."09aeuxAFZ_$-.\"'\\n", "\n", "\r", "\u2028", " ", "\u00e9");
// Free strings, and strings shaped like each token's start and end, where the rules differ most.
const tokenLike = fc.oneof(
  stringOf(tokenChars, 8),
  fc.tuple(oneOf('"', "'"), stringOf(tokenChars, 6), oneOf('"', "'", "")).map((parts) => parts.join("")),
  fc.tuple(oneOf("", "-"), oneOf("0", "7"), stringOf(tokenChars, 6)).map((parts) => parts.join("")),
  fc.tuple(oneOf("h", "hash", "_", "$"), stringOf(tokenChars, 4)).map((parts) => parts.join("")),
);

describe("the EBNF's token rules match what the tokens' patterns match", () => {
  it.each(["Identifier", "StringLiteral", "UnterminatedString", "NumberLiteral", "WholeNumber", "MethodName"])(
    "%s",
    (name) => {
      fc.assert(
        fc.property(tokenLike, (text) => {
          expect(matchesWhole(name, text), JSON.stringify(text)).toBe(code[name]?.(text));
        }),
        { numRuns: 4000 },
      );
    },
  );

  it("S", () => {
    fc.assert(
      fc.property(stringOf(oneOf(...spaces, "a"), 4), (text) => {
        expect(matchesWhole("S", text), JSON.stringify(text)).toBe(code.S?.(text));
      }),
      { numRuns: 2000 },
    );
  });

  // A lone surrogate is an escape of the EBNF that the AST builder refuses (CHECKED there).
  it("Escape", () => {
    const escapes = fc.oneof(
      stringOf(oneOf("\\", "u", "n", "q", '"', "'", "0", "9", "a", "F", "g", "\n"), 7),
      stringOf(oneOf(..."0123456789abcdefABCDEFg"), 5).map((hex) => `\\u${hex}`),
    );
    fc.assert(
      fc.property(
        escapes.filter((text) => !/\\u[dD][89a-fA-F]/.test(text)),
        (text) => {
          expect(matchesWhole("Escape", text), JSON.stringify(text)).toBe(code.Escape?.(text));
        },
      ),
      { numRuns: 4000 },
    );
  });

  it("BlockStart, the look-ahead that opens a block", () => {
    const start = fc
      .tuple(oneOf("{", "<", "x"), stringOf(oneOf(...spaces, "h", "a", "s", "hash", ".", "x"), 6))
      .map(([opener, rest]) => opener + rest);
    fc.assert(
      fc.property(start, (text) => {
        const byEbnf = ends(rule("BlockStart"), text, 0, false).size > 0;
        expect(byEbnf, JSON.stringify(text)).toBe(
          text !== "" && "{<".includes(text[0] as string) && opensBlock(text, 0),
        );
      }),
      { numRuns: 3000 },
    );
  });
});

// Expressions as the grammar builds them, then mutated: most stay near the edge of the language.
const piece = oneOf(
  "hash",
  ".",
  "append",
  "hashes",
  "hash",
  "(",
  ")",
  ",",
  ";",
  " ",
  "\n",
  "1",
  "-7",
  "x",
  '"a"',
  "'}'",
  '"',
  "1.5",
  "0x1",
  "\\",
  "{",
  "}",
  "<",
  ">",
);
const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string; arg: string }>((tie) => ({
  expr: fc
    .array(fc.tuple(oneOf("append", "toHex", "hashes", "x_1"), fc.array(tie("arg"), { maxLength: 2 })), {
      minLength: 1,
      maxLength: 3,
    })
    .map((calls) => `hash${calls.map(([name, args]) => `.${name}(${args.join(",")})`).join("")}`),
  arg: fc.oneof({ depthSize: "small", withCrossShrink: true }, oneOf('"a;}"', "'>'", "240", "-1"), tie("expr")),
})).expr;
const mutated = (text: fc.Arbitrary<string>) =>
  fc.tuple(text, fc.array(fc.tuple(fc.nat(), fc.nat(2), piece), { maxLength: 2 })).map(([base, edits]) =>
    edits.reduce((s, [at, op, p]) => {
      const i = at % (s.length + 1);
      return op === 0
        ? s.slice(0, i) + p + s.slice(i)
        : op === 1
          ? s.slice(0, i) + s.slice(i + 1)
          : s.slice(0, i) + p + s.slice(i + 1);
    }, base),
  );
const spaced = (text: fc.Arbitrary<string>) =>
  fc.tuple(text, fc.boolean()).map(([s, wide]) => (wide ? s.replace(/([.(),])/g, " $1 ") : s));

describe("the EBNF's parser rules accept what the parser accepts", () => {
  it.prop([mutated(spaced(expression)).map((s) => s.trim())], { numRuns: 1500 })("bareExpression", (text) => {
    expect(matchesWhole("bareExpression", text)).toBe(code.bareExpression?.(text));
  });

  const block = fc
    .tuple(oneOf("{", "<"), spaced(expression), fc.boolean())
    .map(([open, expr, semi]) => `${open}${expr}${semi ? ";" : ""}${open === "{" ? "}" : ">"}`);
  it.prop([mutated(block)], { numRuns: 1500 })("block", (text) => {
    expect(matchesWhole("block", text)).toBe(code.block?.(text));
  });
});
