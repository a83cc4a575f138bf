// The floor of a CLI built on chevrotain, for the bench's start-up rows: the program that
// `hash-helper eval` would be with nothing of ours but the lexer's and parser's definitions.
// It is started exactly as the CLI is (dist/cli.cjs, which runs the program beside it from V8's
// code cache): it builds the lexer and the parser, lexes and parses the expression it is given,
// and prints the Moz signature computed with node:crypto, as the `node -e` baseline does. What
// `hash-helper eval` costs above it is ours: the arguments, the checker, the method table, the
// engine and the output; what it costs above the baseline is chevrotain's and the code cache's.
import { createHmac } from "node:crypto";
import { defaultLimits } from "../../src/language/limits.ts";
import { tokenize } from "../../src/syntax/lexer.ts";
import { parseBare } from "../../src/syntax/parse.ts";

// The Moz access ID and key, written in by the bench when it builds this program (esbuild's
// define): moz.ts itself would bring the other template engines into the bundle.
declare const MOZ_ACCESS_ID: string;
declare const MOZ_KEY: string;

const args = process.argv.slice(2);
const expression = args[args.length - 1] ?? "";
const parsed = parseBare(tokenize(expression, "bare").tokens, defaultLimits);
if (!parsed.node || parsed.problems.length > 0) throw new Error("the expression did not parse");
const expires = Math.floor(Number(args[args.indexOf("--now") + 1])) + 240;
const mac = createHmac("sha1", MOZ_KEY).update(`${MOZ_ACCESS_ID}\n${expires}`).digest("base64");
const encoded = encodeURIComponent(mac).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
process.stdout.write(`${encoded}\n`);
