// What the bundles carry instead of the parts of chevrotain that our parser and lexer never
// call once built (scripts/build.mjs maps them here). They are 20 KiB of a 160 KiB bundle:
//
// - @chevrotain/regexp-to-ast parses a token's regex, to validate the token definitions, to index
//   a token without start_chars_hint by its first characters, or to find line breaks when lines
//   are tracked. Every regex token of ours has a hint, text is lexed by a function, positions are
//   offsets only, and validations are off outside the tests.
// - grammar/checks.js and the grammar validator's messages run only when validations are on.
// - grammar/follow.js runs only with error recovery, which is off.
// - The default parser messages are replaced by ours (src/parser/parser.ts), and the grammar
//   resolver's message is for a rule that does not exist.
//
// The tests build the lexer and parser with validations on from the sources, where these parts
// are real; test/bundle/ runs the bundles themselves, and fails if anything reaches this module.
const ABSENT = "hash-helper's bundles leave out this part of chevrotain (see src/bundle/chevrotain-absent.ts)";

function absent(): never {
  throw new Error(ABSENT);
}

/** An object any of whose methods throws: for chevrotain's default message providers. */
const absentMethods: Record<string, () => never> = new Proxy({}, { get: () => absent });

// @chevrotain/regexp-to-ast
export class RegExpParser {
  pattern(): never {
    return absent();
  }
}
export class BaseRegExpVisitor {
  visit(): never {
    return absent();
  }
}

// chevrotain/lib/src/parse/grammar/checks.js
export const validateLookahead = absent;
export const validateGrammar = absent;
export const validateRuleIsOverridden = absent;
export const validateNoLeftRecursion = absent;
export const validateEmptyOrAlternative = absent;
export const validateAmbiguousAlternationAlternatives = absent;
export const validateSomeNonEmptyLookaheadPath = absent;

// chevrotain/lib/src/parse/grammar/follow.js
export const computeAllProdsFollows = absent;

// chevrotain/lib/src/parse/errors_public.js
export const defaultParserErrorProvider = absentMethods;
export const defaultGrammarResolverErrorProvider = absentMethods;
export const defaultGrammarValidatorErrorProvider = absentMethods;
