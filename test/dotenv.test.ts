import { parseEnv } from "node:util";
import { describe, expect, it } from "vitest";
import { DotenvError, parseDotenv } from "../src/shells/cli/dotenv.ts";

// The oracle is Node's own util.parseEnv: the same file must give the same values here.
// The texts are dotenv's documented examples (its README and tests/.env) and the edges of
// Node's reader (test/parallel/test-util-parse-env.js, test/fixtures/dotenv/valid.env).
const DOTENV_README = [
  "S3_BUCKET=YOURS3BUCKET",
  "SECRET_KEY=YOURSECRETKEYGOESHERE",
  "# This is a comment",
  'SECRET_HASH="something-with-a-#-hash" # comment',
  'PRIVATE_KEY="-----BEGIN RSA PRIVATE KEY-----\n...\nKh9NV...\n...\n-----END RSA PRIVATE KEY-----"',
  'ESCAPED="-----BEGIN RSA PRIVATE KEY-----\\nKh9NV...\\n-----END RSA PRIVATE KEY-----\\n"',
].join("\n");

const DOTENV_TESTS_ENV = [
  "BASIC=basic",
  "",
  "# previous line intentionally left blank",
  "AFTER_LINE=after_line",
  "EMPTY=",
  "EMPTY_SINGLE_QUOTES=''",
  'EMPTY_DOUBLE_QUOTES=""',
  "EMPTY_BACKTICKS=``",
  "SINGLE_QUOTES='single_quotes'",
  "SINGLE_QUOTES_SPACED='    single quotes    '",
  'DOUBLE_QUOTES="double_quotes"',
  'DOUBLE_QUOTES_SPACED="    double quotes    "',
  "DOUBLE_QUOTES_INSIDE_SINGLE='double \"quotes\" work inside single quotes'",
  "SINGLE_QUOTES_INSIDE_DOUBLE=\"single 'quotes' work inside double quotes\"",
  "BACKTICKS=`backticks`",
  "BACKTICKS_SPACED=`    backticks    `",
  'EXPAND_NEWLINES="expand\\nnew\\nlines"',
  "DONT_EXPAND_UNQUOTED=dontexpand\\nnewlines",
  "DONT_EXPAND_SQUOTED='dontexpand\\nnewlines'",
  "# COMMENTS=work",
  "INLINE_COMMENTS=inline comments # work #very #well",
  "INLINE_COMMENTS_SINGLE_QUOTES='inline comments outside of #singlequotes' # work",
  'INLINE_COMMENTS_DOUBLE_QUOTES="inline comments outside of #doublequotes" # work',
  "EQUAL_SIGNS=equals==",
  'RETAIN_INNER_QUOTES={"foo": "bar"}',
  'RETAIN_INNER_QUOTES_AS_STRING=\'{"foo": "bar"}\'',
  "TRIM_SPACE_FROM_UNQUOTED=    some spaced out string",
  "USERNAME=therealnerdybeast@example.tld",
  "    SPACED_KEY = parsed",
].join("\n");

describe("parseDotenv reads as util.parseEnv does", () => {
  it.each([
    { name: "dotenv's README", text: DOTENV_README },
    { name: "dotenv's tests/.env", text: DOTENV_TESTS_ENV },
    { name: "one line", text: "A=1" },
    { name: "spaces around", text: "A = spaced value  " },
    { name: "export and a trailing comment", text: "export A=1\n\n# comment\nB=2 # trailing" },
    { name: "single quotes keep \\n", text: "A='lit\\n # eral'" },
    { name: "double quotes expand \\n", text: 'A="esc\\nline"' },
    { name: "a comment right after the value", text: "A=a#b" },
    { name: "CR LF, the last one wins", text: "A=1\r\nA=2\r\n" },
    { name: "dots and dashes in a name", text: "api-key.v2=x" },
    { name: "an empty value", text: "A=" },
    { name: "a multi-line double-quoted value", text: 'KEY="line 1\nline 2\nline 3"\nNEXT=1' },
    { name: "a multi-line single-quoted value", text: "KEY='a\nb'\nNEXT=1" },
    { name: "a multi-line backtick value", text: "KEY=`a\nb`\nNEXT=1" },
    { name: "text after a closing quote", text: 'A="x" trailing' },
    { name: "a comment line", text: "# c\nA=1" },
  ])("$name", ({ text }) => {
    const expected = parseEnv(text);
    expect(Object.fromEntries(parseDotenv(text))).toEqual(expected);
    // A test that can fail: the table holds at least one value.
    expect(Object.keys(expected).length).toBeGreaterThan(0);
  });

  it("gives dotenv's documented values where Node agrees with it", () => {
    const values = parseDotenv(DOTENV_TESTS_ENV);
    expect(values.get("SINGLE_QUOTES_SPACED")).toBe("    single quotes    ");
    expect(values.get("EXPAND_NEWLINES")).toBe("expand\nnew\nlines");
    expect(values.get("DONT_EXPAND_SQUOTED")).toBe("dontexpand\\nnewlines");
    expect(values.get("INLINE_COMMENTS")).toBe("inline comments");
    expect(values.get("INLINE_COMMENTS_DOUBLE_QUOTES")).toBe("inline comments outside of #doublequotes");
    expect(values.get("EQUAL_SIGNS")).toBe("equals==");
    expect(values.get("SPACED_KEY")).toBe("parsed");
    expect(parseDotenv(DOTENV_README).get("PRIVATE_KEY")).toBe(
      "-----BEGIN RSA PRIVATE KEY-----\n...\nKh9NV...\n...\n-----END RSA PRIVATE KEY-----",
    );
  });
});

describe("parseDotenv names a line parseEnv would skip, never its text", () => {
  it.each([
    { name: "no =", text: "ok=1\ns3cret-without-equals", line: 2 },
    { name: "no name", text: "ok=1\n\n=s3cret", line: 3 },
    { name: "an unclosed single quote", text: "A='s3cret\nB=2", line: 1 },
    { name: "an unclosed double quote", text: 'A="s3cret', line: 1 },
    { name: "an unclosed backtick", text: "A=`s3cret", line: 1 },
    { name: "a space in the name", text: "MY KEY=s3cret", line: 1 },
    { name: "after a multi-line value", text: 'A="x\ny"\ns3cret', line: 3 },
  ])("$name: line $line", ({ text, line }) => {
    let error: unknown;
    try {
      parseDotenv(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DotenvError);
    expect((error as DotenvError).line).toBe(line);
    expect((error as Error).message).toMatch(new RegExp(`^line ${line} `));
    expect((error as Error).message).not.toContain("s3cret");
  });

  it("does not count the lines of a multi-line value as lines of their own", () => {
    expect(() => parseDotenv('K="no equals here\nnor here"\n')).not.toThrow();
  });
});
