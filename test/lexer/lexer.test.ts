import { describe, expect, it } from "vitest";
import { createLexer, optimizedModes, tokenize } from "../../src/lexer/lexer.ts";
import { allTokens } from "../../src/lexer/tokens.ts";

const kinds = (text: string, mode?: "text" | "bare") =>
  tokenize(text, mode).tokens.map((t) => `${t.tokenType.name}:${t.image}`);

describe("tokenize", () => {
  it("finds blocks in text and tokens inside them", () => {
    expect(kinds(`a={hash.append("x;}", 12).printDigest();}&b`)).toEqual([
      "Text:a=",
      "BraceOpen:{",
      "Hash:hash",
      "Dot:.",
      "Identifier:append",
      "LParen:(",
      'StringLiteral:"x;}"',
      "Comma:,",
      "NumberLiteral:12",
      "RParen:)",
      "Dot:.",
      "Identifier:printDigest",
      "LParen:(",
      "RParen:)",
      "Semicolon:;",
      "BraceClose:}",
      "Text:&b",
    ]);
  });

  it.each([
    ["{ \t\nhash .x", "BraceOpen"],
    ["< hash.x", "AngleOpen"],
    ["{hash x", "Text"],
    ["{hashes.x", "Text"],
    ["{ Hash.x", "Text"],
  ])("%j starts with %s", (text, kind) => {
    expect(tokenize(text).tokens[0]?.tokenType.name).toBe(kind);
  });

  it("keeps 'hash' as a name when it is part of a longer one", () => {
    expect(kinds("hash.hashed", "bare")).toEqual(["Hash:hash", "Dot:.", "Identifier:hashed"]);
  });

  it("ends an unterminated string at the end of its line", () => {
    expect(kinds(`hash.append("abc\\"def\nx`, "bare").slice(4)).toEqual([
      'UnterminatedString:"abc\\"def',
      "Identifier:x",
    ]);
  });

  it("reports characters no token matches by offset only", () => {
    expect(tokenize("hash.a(@)", "bare").failures).toEqual([{ offset: 7, length: 1 }]);
  });

  it("indexes every expression mode by first character", () => {
    // The text mode cannot be ("anything but { and <"); the modes that lex expressions must be.
    expect(optimizedModes()).toMatchObject({ brace: true, angle: true, bare: true });
  });
});

describe("the token definitions", () => {
  it("pass chevrotain's validations, which the process's own lexer skips", () => {
    expect(() => createLexer({ validate: true })).not.toThrow();
    expect(createLexer({ validate: true }).lexerDefinitionErrors).toEqual([]);
  });

  it.each(allTokens.filter((t) => t.PATTERN instanceof RegExp && t.START_CHARS_HINT))(
    "$name: its start_chars_hint holds exactly the characters its pattern can start with",
    (token) => {
      const pattern = token.PATTERN as RegExp;
      const sticky = new RegExp(pattern.source, "y");
      const hint = new Set((token.START_CHARS_HINT as string[]).map((c) => c.charCodeAt(0)));
      // Every UTF-16 code unit a match may begin with is in the hint, and every hint starts one.
      for (let code = 0; code < 0x10000; code++) {
        const c = String.fromCharCode(code);
        sticky.lastIndex = 0;
        const starts = [c, `${c}a`, `${c}0`, `${c}"`, `${c}'`, `${c}ash`].some((s) => {
          sticky.lastIndex = 0;
          return sticky.test(s);
        });
        if (starts !== hint.has(code))
          throw new Error(`${token.name}: U+${code.toString(16)} ${starts ? "missing from" : "wrongly in"} the hint`);
      }
    },
  );
});
