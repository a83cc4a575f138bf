// Runs the example of a method-table entry, for the generated reference and its test. Every
// example runs as a header of one sample request, so the request functions have a request to read.
import { type ExpandOptions, type Method, signRequest } from "../src/index.ts";

export const EXAMPLE_REQUEST = {
  method: "POST",
  url: "https://api.example.com/v1/items?page=2&size=10",
  body: '{"name":"widget"}',
  date: "Wed, 01 Jan 2025 00:00:00 GMT",
} as const;

/** The text the method's example gives. */
export function runExample(method: Method, options: ExpandOptions): string {
  const ends = /\.printDigest\(\)$/.test(method.example) ? "" : ".printDigest()";
  const signed = signRequest(
    {
      method: EXAMPLE_REQUEST.method,
      url: EXAMPLE_REQUEST.url,
      body: EXAMPLE_REQUEST.body,
      headers: [
        ["Date", EXAMPLE_REQUEST.date],
        ["X-Example", `{${method.example}${ends};}`],
      ],
    },
    options,
  );
  return signed.headers[1]?.[1] ?? "";
}
