import type { CstNode, IToken } from "chevrotain";
import type { Argument, Block, Call, Chain, IntegerLiteral, Span, StringLiteral } from "../language/ast.ts";
import type { Problem } from "../language/errors.ts";
import type {
  ArgumentCstChildren,
  BareExpressionCstChildren,
  BlockCstChildren,
  CallCstChildren,
  ExpressionCstChildren,
  ICstNodeVisitor,
} from "./cst.d.ts";
import type { HashHelperParser } from "./parser.ts";

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

function integer(token: IToken, problems: Problem[]): IntegerLiteral {
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

/** Builds the AST from chevrotain's CST. Stateless: problems go into the array passed along. */
export function createAstBuilder(parser: HashHelperParser) {
  const Base = parser.getBaseCstVisitorConstructor<Problem[], unknown>();

  class AstBuilder extends Base implements ICstNodeVisitor<Problem[], unknown> {
    constructor() {
      super();
      this.validateVisitor();
    }

    block(children: BlockCstChildren, problems: Problem[]): Block {
      const open = children.BlockOpen[0] as IToken;
      const close = children.BlockClose[0] as IToken;
      return {
        type: "Block",
        delimiter: open.image === "<" ? "<" : "{",
        expression: this.chain(children.expression[0] as CstNode, problems),
        span: { offset: open.startOffset, length: close.startOffset - open.startOffset + 1 },
      };
    }

    bareExpression(children: BareExpressionCstChildren, problems: Problem[]): Chain {
      return this.chain(children.expression[0] as CstNode, problems);
    }

    chain(node: CstNode, problems: Problem[]): Chain {
      return this.visit(node, problems) as Chain;
    }

    expression(children: ExpressionCstChildren, problems: Problem[]): Chain {
      const calls = children.call.map((c) => this.visit(c, problems) as Call);
      const start = (children.Hash[0] as IToken).startOffset;
      const last = calls[calls.length - 1] as Call;
      return {
        type: "Chain",
        calls,
        span: { offset: start, length: last.span.offset + last.span.length - start },
      };
    }

    call(children: CallCstChildren, problems: Problem[]): Call {
      const name = children.Identifier[0] as IToken;
      const close = children.RParen[0] as IToken;
      return {
        type: "Call",
        method: name.image,
        nameSpan: tokenSpan(name),
        args: (children.argument ?? []).map((a) => this.visit(a, problems) as Argument),
        span: { offset: name.startOffset, length: close.startOffset - name.startOffset + 1 },
      };
    }

    argument(children: ArgumentCstChildren, problems: Problem[]): Argument {
      const string = children.StringLiteral?.[0];
      if (string) return { type: "String", value: unquote(string, problems), span: tokenSpan(string) } as StringLiteral;
      const number = children.NumberLiteral?.[0];
      if (number) return integer(number, problems);
      return this.chain(children.expression?.[0] as CstNode, problems);
    }
  }

  return new AstBuilder();
}
