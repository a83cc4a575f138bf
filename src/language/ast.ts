/** Where a node stands in its source: offsets in UTF-16 code units, like JavaScript strings. */
export interface Span {
  offset: number;
  length: number;
}

/** `"text"` or `'text'`, escapes already resolved. */
export interface StringLiteral {
  type: "String";
  value: string;
  span: Span;
}

/** A whole number such as `240` or `-60`. */
export interface IntegerLiteral {
  type: "Integer";
  value: number;
  span: Span;
}

export type Argument = StringLiteral | IntegerLiteral | Chain;

/** `.name(args)` */
export interface Call {
  type: "Call";
  method: string;
  /** The method name alone, for errors that point at it. */
  nameSpan: Span;
  args: Argument[];
  span: Span;
}

/** `hash.a(…).b(…)…`: at least one call. */
export interface Chain {
  type: "Chain";
  calls: Call[];
  span: Span;
}

/** `{hash…;}` or `<hash…;>` inside a template. */
export interface Block {
  type: "Block";
  delimiter: "{" | "<";
  expression: Chain;
  span: Span;
}

/** Template text outside blocks, kept byte-for-byte. */
export interface Text {
  type: "Text";
  value: string;
  span: Span;
}

export interface Template {
  type: "Template";
  parts: (Text | Block)[];
  span: Span;
}

export type Node = Template | Text | Block | Chain | Call | StringLiteral | IntegerLiteral;
