import { CstParser, EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from "chevrotain";
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

export class HashHelperParser extends CstParser {
  /**
   * @param validate run chevrotain's checks of the grammar (ambiguities, left recursion). They
   * find the same thing on every run, so the process's parser skips them for start-up, and
   * test/parser/parser.test.ts builds one with them, which fails on a broken grammar.
   */
  constructor({ validate = false }: { validate?: boolean } = {}) {
    // The grammar is LL(1): one token of look-ahead decides every choice, and analysing more costs start-up.
    super(allTokens, {
      nodeLocationTracking: "none",
      errorMessageProvider,
      skipValidations: !validate,
      maxLookahead: 1,
    });
    this.performSelfAnalysis();
  }

  /** `{hash….;}` or `<hash….;>` */
  public block = this.RULE("block", () => {
    this.CONSUME(BlockOpen);
    this.SUBRULE(this.expression);
    this.CONSUME(Semicolon);
    this.CONSUME(BlockClose);
  });

  /** An expression on its own, as evaluate() and parse() take it; the `;` is optional. */
  public bareExpression = this.RULE("bareExpression", () => {
    this.SUBRULE(this.expression);
    this.OPTION(() => this.CONSUME(Semicolon));
  });

  /** `hash.a(…).b(…)` */
  public expression = this.RULE("expression", () => {
    this.CONSUME(Hash);
    this.AT_LEAST_ONE(() => {
      this.CONSUME(Dot);
      this.SUBRULE(this.call);
    });
  });

  /** `name(arg, …)` */
  public call = this.RULE("call", () => {
    this.CONSUME(Identifier);
    this.CONSUME(LParen);
    this.MANY_SEP({ SEP: Comma, DEF: () => this.SUBRULE(this.argument) });
    this.CONSUME(RParen);
  });

  public argument = this.RULE("argument", () => {
    this.OR([
      { ALT: () => this.CONSUME(StringLiteral) },
      { ALT: () => this.CONSUME(NumberLiteral) },
      { ALT: () => this.SUBRULE(this.expression) },
    ]);
  });
}
