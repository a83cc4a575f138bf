import { describe, expect, it } from "vitest";
import { parseDotenv } from "../src/shells/cli/dotenv.ts";

describe("parseDotenv", () => {
  it.each([
    { text: "A=1", expected: { A: "1" } },
    { text: "A = spaced value  ", expected: { A: "spaced value" } },
    { text: "export A=1\n\n# comment\nB=2 # trailing", expected: { A: "1", B: "2" } },
    { text: "A='lit\\n # eral'", expected: { A: "lit\\n # eral" } },
    { text: 'A="esc\\n\\t\\"q\\\\"', expected: { A: 'esc\n\t"q\\' } },
    { text: "A=a#b", expected: { A: "a#b" } },
    { text: "A=1\r\nA=2\r\n", expected: { A: "2" } },
    { text: "api-key.v2=x", expected: { "api-key.v2": "x" } },
    { text: "A=", expected: { A: "" } },
  ])("$text", ({ text, expected }) => {
    expect(Object.fromEntries(parseDotenv(text))).toEqual(expected);
  });

  it.each([
    { text: "ok=1\ns3cret-without-equals", line: 2 },
    { text: "A='s3cret", line: 1 },
    { text: 'A="s3cret', line: 1 },
  ])("names the line of a bad one, never its text: $line", ({ text, line }) => {
    expect(() => parseDotenv(text)).toThrow(new RegExp(`^line ${line} `));
    try {
      parseDotenv(text);
    } catch (e) {
      expect((e as Error).message).not.toContain("s3cret");
    }
  });
});
