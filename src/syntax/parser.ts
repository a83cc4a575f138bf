import { EmbeddedActionsParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
import type { Argument, Block, Call, Chain } from "../language/ast.ts";
import type { Problem } from "../language/errors.ts";
import { integer, stringLiteral } from "./to-ast.ts";
import {
  allTokens,
  BlockClose,
  BlockOpen,
  Comma,
  Dot,
  Hash,
  Identifier,
  LParen,
  NumberLiteral,
  RParen,
  Semicolon,
  StringLiteral,
} from "./tokens.ts";

/** A token described by its kind. Never its image: that may be an API key. */
export function describeToken(token: IToken): string {
  return token.tokenType === EOF ? "the end of the input" : label(token.tokenType);
}

function label(type: TokenType): string {
  return type.LABEL ?? type.name;
}

export const ARGUMENT_DESCRIPTION = "an argument (a quoted string, a whole number or a hash expression)";

// chevrotain's default messages quote the offending token's text; ours name kinds only.
const errorMessageProvider: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) => `expected ${label(expected)} but found ${describeToken(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    `unexpected ${describeToken(firstRedundant)} after the expression`,
  buildNoViableAltMessage: ({ actual, ruleName }) =>
    `expected ${ruleName === "argument" ? ARGUMENT_DESCRIPTION : "something else"} but found ${describeToken(actual[0] as IToken)}`,
  buildEarlyExitMessage: ({ actual, ruleName }) =>
    `expected ${ruleName === "expression" ? "'.' and a method name" : "more"} but found ${describeToken(actual[0] as IToken)}`,
};

/**
 * The grammar, building the AST as it parses (chevrotain's embedded actions): a CST built first
 * and then visited into an AST made each parse allocate twice, and a fresh template's compile
 * spent a quarter of its time collecting it. What an action finds wrong in a literal (a bad
 * escape, a number too large) goes into `problems`, which the caller empties before a parse.
 */
export class HashHelperParser extends EmbeddedActionsParser {
  problems: Problem[] = [];

  /**
   * @param validate run chevrotain's checks of the grammar (ambiguities, left recursion). They
   * find the same thing on every run, so the process's parser skips them for start-up, and
   * test/parser/parser.test.ts builds one with them, which fails on a broken grammar.
   */
  constructor({ validate = false }: { validate?: boolean } = {}) {
    // The grammar is LL(1): one token of look-ahead decides every choice, and analysing more costs start-up.
    super(allTokens, {
      errorMessageProvider,
      skipValidations: !validate,
      maxLookahead: 1,
    });
    this.performSelfAnalysis();
  }

  /** `{hash….;}` or `<hash….;>` */
  public block = this.RULE("block", (): Block => {
    const open = this.CONSUME(BlockOpen);
    const expression = this.SUBRULE(this.expression);
    this.CONSUME(Semicolon);
    const close = this.CONSUME(BlockClose);
    return this.ACTION(() => ({
      type: "Block",
      delimiter: open.image === "<" ? "<" : "{",
      expression,
      span: { offset: open.startOffset, length: close.startOffset - open.startOffset + 1 },
    }));
  });

  /** An expression on its own, as evaluate() and parse() take it; the `;` is optional. */
  public bareExpression = this.RULE("bareExpression", (): Chain => {
    const expression = this.SUBRULE(this.expression);
    this.OPTION(() => this.CONSUME(Semicolon));
    return expression;
  });

  /** `hash.a(…).b(…)` */
  public expression = this.RULE("expression", (): Chain => {
    const hash = this.CONSUME(Hash);
    const calls: Call[] = [];
    this.AT_LEAST_ONE(() => {
      this.CONSUME(Dot);
      calls.push(this.SUBRULE(this.call));
    });
    return this.ACTION(() => {
      const start = hash.startOffset;
      const last = calls[calls.length - 1] as Call;
      return { type: "Chain", calls, span: { offset: start, length: last.span.offset + last.span.length - start } };
    });
  });

  /** `name(arg, …)` */
  public call = this.RULE("call", (): Call => {
    const name = this.CONSUME(Identifier);
    this.CONSUME(LParen);
    const args: Argument[] = [];
    this.MANY_SEP({ SEP: Comma, DEF: () => args.push(this.SUBRULE(this.argument)) });
    const close = this.CONSUME(RParen);
    return this.ACTION(() => ({
      type: "Call",
      method: name.image,
      nameSpan: { offset: name.startOffset, length: name.image.length },
      args,
      span: { offset: name.startOffset, length: close.startOffset - name.startOffset + 1 },
    }));
  });

  public argument = this.RULE("argument", (): Argument => {
    return this.OR([
      {
        ALT: () => {
          const token = this.CONSUME(StringLiteral);
          return this.ACTION(() => stringLiteral(token, this.problems));
        },
      },
      {
        ALT: () => {
          const token = this.CONSUME(NumberLiteral);
          return this.ACTION(() => integer(token, this.problems));
        },
      },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
  });
}
