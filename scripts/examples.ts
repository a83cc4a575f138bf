// Runs the example of a method-table entry, for the generated reference and its test. An example
// that reads the request runs as a header of one sample request, so that it has a request to read;
// the others are expanded alone, since a header cannot hold what some give (a line break).
import { type ExpandOptions, expand, type Method, signRequest } from "../src/index.ts";

export const EXAMPLE_REQUEST = {
  method: "POST",
  url: "https://api.example.com/v1/items?page=2&size=10",
  body: '{"name":"widget"}',
  date: "Wed, 01 Jan 2025 00:00:00 GMT",
} as const;

/** The random bytes examples draw from (hash.getNonce, hash.getUuid): 00 01 02 …, so the reference does not change from one generation to the next. */
export const exampleRandom = (bytes: Uint8Array): void => {
  for (let i = 0; i < bytes.length; i++) bytes[i] = i & 0xff;
};

/** The text the method's example gives. */
export function runExample(method: Method, given: ExpandOptions): string {
  const options = { random: exampleRandom, ...given };
  const ends = /\.printDigest\(\)$/.test(method.example) ? "" : ".printDigest()";
  const block = `{${method.example}${ends};}`;
  if (method.reads === undefined && !method.example.includes("hash.getRequest")) return expand(block, options);
  const signed = signRequest(
    {
      method: EXAMPLE_REQUEST.method,
      url: EXAMPLE_REQUEST.url,
      body: EXAMPLE_REQUEST.body,
      headers: [
        ["Date", EXAMPLE_REQUEST.date],
        ["X-Example", block],
      ],
    },
    options,
  );
  return signed.headers[1]?.[1] ?? "";
}
