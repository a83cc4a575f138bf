import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { filePosition, HttpFileError, type HttpRequest, parseHttpFile } from "../src/shells/cli/http-file.ts";

const dir = new URL("../docs/recipes/", import.meta.url);
const withoutPositions = ({ positions: _, ...request }: HttpRequest) => request;

describe("parseHttpFile", () => {
  it.each([
    {
      name: "a request line, headers, a blank line and a body",
      text: 'POST https://x.test/a?b=1 HTTP/1.1\nContent-Type: application/json\nX-A:  v  \n\n{"a":1}\n',
      expected: [
        {
          name: undefined,
          method: "POST",
          url: "https://x.test/a?b=1",
          headers: [
            ["Content-Type", "application/json"],
            ["X-A", "v"],
          ],
          body: '{"a":1}',
          line: 1,
        },
      ],
    },
    {
      name: "a URL alone is a GET",
      text: "https://x.test/",
      expected: [{ name: undefined, method: "GET", url: "https://x.test/", headers: [], body: undefined, line: 1 }],
    },
    {
      name: "### separates, # @name and ### TITLE name, comments are skipped",
      text: [
        "# a comment",
        "// another",
        "# @name first",
        "GET https://x.test/1",
        "# a comment among the headers",
        "A: 1",
        "",
        "###",
        "",
        "// @name = second",
        "DELETE https://x.test/2 HTTP/2",
        "",
        "### third one",
        "PUT https://x.test/3",
        "",
        "line 1",
        "",
        "line 3",
        "",
        "",
        "### only comments",
        "# nothing",
      ].join("\r\n"),
      expected: [
        { name: "first", method: "GET", url: "https://x.test/1", headers: [["A", "1"]], body: undefined, line: 4 },
        { name: "second", method: "DELETE", url: "https://x.test/2", headers: [], body: undefined, line: 11 },
        { name: "third one", method: "PUT", url: "https://x.test/3", headers: [], body: "line 1\n\nline 3", line: 14 },
      ],
    },
    {
      name: "indented lines continue the URL",
      text: "GET https://x.test/a\n    ?b=1\n    &c={hash.getExpiryTime(0);}\nA: 1",
      expected: [
        {
          name: undefined,
          method: "GET",
          url: "https://x.test/a?b=1&c={hash.getExpiryTime(0);}",
          headers: [["A", "1"]],
          body: undefined,
          line: 1,
        },
      ],
    },
    {
      name: "blocks with spaces and colons stay whole",
      text: 'GET https://x.test/?d={hash.getDate("EEE, dd MMM yyyy HH:mm:ss");}\nDate: {hash.getDate("HH:mm");}',
      expected: [
        {
          name: undefined,
          method: "GET",
          url: 'https://x.test/?d={hash.getDate("EEE, dd MMM yyyy HH:mm:ss");}',
          headers: [["Date", '{hash.getDate("HH:mm");}']],
          body: undefined,
          line: 1,
        },
      ],
    },
    { name: "an empty file", text: "", expected: [] },
  ])("$name", ({ text, expected }) => {
    expect(parseHttpFile(text).map(withoutPositions)).toEqual(expected);
  });

  it.each([
    { name: "a variable in the URL", text: "GET https://{{host}}/s3cret", line: 1 },
    { name: "a dynamic variable in a header", text: "GET https://x.test/\nX-T: {{$timestamp}}", line: 2 },
    { name: "a variable in the body", text: 'POST https://x.test/\n\n{"k":"{{ s3cret }}"}', line: 3 },
    { name: "a file variable", text: "@s3cret = 1\nGET https://x.test/", line: 1 },
    { name: "a body from a file", text: "POST https://x.test/\n\n< ./s3cret.json", line: 3 },
    { name: "a response handler", text: "GET https://x.test/\n\n> {% client.s3cret %}", line: 3 },
    { name: "a body without its blank line", text: 'POST https://x.test/\nA: 1\n{"s3cret":1}', line: 3 },
    { name: "a method without a URL", text: "GET", line: 1 },
    { name: "a line that is not a request", text: "s3cret words here", line: 1 },
  ])("refuses $name, naming the line and not its text", ({ text, line }) => {
    let error: unknown;
    try {
      parseHttpFile(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HttpFileError);
    expect((error as HttpFileError).line).toBe(line);
    expect((error as Error).message).toMatch(new RegExp(`^line ${line}: `));
    expect((error as Error).message).not.toContain("s3cret");
  });

  it("takes JSON with nested braces, which is not a variable", () => {
    const [request] = parseHttpFile('POST https://x.test/\n\n{"a":{"b":[{"c":{}}]}}');
    expect(request?.body).toBe('{"a":{"b":[{"c":{}}]}}');
  });

  // Each recipe's request, read as the recipes test reads it (request line, headers, blank line, body).
  it.each(readdirSync(dir).filter((f) => f !== "README.md"))(
    "reads the request of docs/recipes/%s as written",
    (file) => {
      const block = /^```http\n([\s\S]*?)\n```$/m.exec(readFileSync(new URL(file, dir), "utf8"))?.[1] ?? "";
      const [head = "", ...rest] = block.split("\n\n");
      const [requestLine = "", ...lines] = head.split("\n");
      const space = requestLine.indexOf(" ");
      expect(parseHttpFile(block).map(withoutPositions)).toEqual([
        {
          name: undefined,
          method: requestLine.slice(0, space),
          url: requestLine.slice(space + 1),
          headers: lines.map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 1).trim()]),
          body: rest.length > 0 ? rest.join("\n\n") : undefined,
          line: 1,
        },
      ]);
    },
  );
});

describe("positions: where each part's text is in the file", () => {
  const FILE = [
    "### one",
    "POST  https://x.test/a",
    "    ?b=1",
    "\t&c={hash.getExpiryTime(0);}",
    "X-A:   v1 ",
    "X-A:v2",
    "",
    "body line 1",
    "",
    "  body line 3",
    "",
    "###",
    "https://x.test/only",
  ];
  it.each([
    { eol: "\n", bom: "" },
    { eol: "\r\n", bom: "\uFEFF" },
  ])("every character of every part maps to the same character of the file (eol $eol)", ({ eol, bom }) => {
    const text = bom + FILE.join(eol);
    const lineOf = (offset: number) => {
      const lines = text
        .slice(0, offset)
        .replace(/^\uFEFF/, "")
        .split(/\r?\n/);
      return { line: lines.length, column: (lines.at(-1) ?? "").length + 1 };
    };
    const requests = parseHttpFile(text);
    expect(requests).toHaveLength(2);
    for (const r of requests) {
      const parts = [
        { source: r.url, runs: r.positions.url },
        ...r.headers.map(([, v], i) => ({ source: v, runs: r.positions.headers[i] ?? [] })),
        ...(r.body === undefined ? [] : [{ source: r.body, runs: r.positions.body }]),
      ];
      for (const { source, runs } of parts) {
        for (let k = 0; k < source.length; k++) {
          if (source[k] === "\n") continue; // the body's lines are joined with \n whatever the file's ends
          const at = filePosition(runs, k);
          expect(text[at.offset]).toBe(source[k]);
          expect({ line: at.line, column: at.column }).toEqual(lineOf(at.offset));
        }
      }
    }
    const [first] = requests as [HttpRequest];
    // By hand: the URL starts after "POST  " on line 2; its query on lines 3 and 4.
    expect(filePosition(first.positions.url, 0)).toMatchObject({ line: 2, column: 7 });
    expect(filePosition(first.positions.url, first.url.indexOf("?b")).line).toBe(3);
    expect(filePosition(first.positions.url, first.url.indexOf("&c")).line).toBe(4);
    expect(filePosition(first.positions.headers[0] ?? [], 0)).toMatchObject({ line: 5, column: 8 });
    expect(filePosition(first.positions.headers[1] ?? [], 0)).toMatchObject({ line: 6, column: 5 });
    expect(filePosition(first.positions.body, first.body?.indexOf("  body line 3") ?? -1)).toMatchObject({
      line: 10,
      column: 1,
    });
    // The end of a part is just past its last character, on the same line.
    const end = filePosition(first.positions.url, first.url.length);
    expect(text.slice(end.offset - 1, end.offset)).toBe("}");
  });
});
