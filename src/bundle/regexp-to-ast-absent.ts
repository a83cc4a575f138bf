// What the bundles carry instead of @chevrotain/regexp-to-ast (10 KiB minified). chevrotain
// parses a token's regex with it only to validate the token definitions, to index a token by its
// first characters when it has no start_chars_hint, or to find line breaks when it tracks lines.
// Our process's lexer does none of these: every regex token has a hint, text is a function,
// positions are offsets only, and validations run in the tests, which use the real library.
// test/bundle/bundles.test.ts runs the bundles and fails if anything reaches this.
const ABSENT = "hash-helper's bundles leave out @chevrotain/regexp-to-ast (see src/bundle/regexp-to-ast-absent.ts)";

export class RegExpParser {
  pattern(): never {
    throw new Error(ABSENT);
  }
}

export class BaseRegExpVisitor {
  visit(): never {
    throw new Error(ABSENT);
  }
}
