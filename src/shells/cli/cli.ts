import { createReadStream, fstatSync } from "node:fs";
import { parseArgs } from "node:util";
// esbuild inlines the JSON into dist/cli.cjs, so the version needs no file lookup at run time.
import pkg from "../../../package.json" with { type: "json" };
import {
  defaultLimits,
  type Explanation,
  evaluate,
  expand,
  explainAndEvaluate,
  explainAndExpand,
  explainAndSignRequest,
  formatExplanation,
  formatRequestExplanation,
  HashHelperError,
  InvalidUrlError,
  isShownName,
  quoteName,
  type RequestExplanation,
  type SignedRequest,
  signRequest,
} from "../../index.ts";
import {
  checkHeaders,
  type FetchResult,
  formatRequest,
  formatResponse,
  RequestUsageError,
  rawTarget,
  requestFromFlags,
  send,
  sendRaw,
} from "./cli-request.ts";
import { parseDotenv } from "./dotenv.ts";

/** Everything the CLI touches of the process, so that tests can run it in-process. */
export interface Io {
  /**
   * A write to standard output may return a promise, which is awaited: it rejects when the text
   * cannot be written (ENOSPC, EPIPE), and the exit status says so.
   */
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /**
   * Standard input as a template: UTF-8 text, read to its end or until it is longer than any
   * template may be, which is a UsageError, as bytes that are not UTF-8 are.
   */
  readStdin(): Promise<string>;
  /** Standard output was closed when the process started, so nothing printed can be seen. */
  stdoutClosed?: boolean;
  stdinIsTTY: boolean;
  stderrIsTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Standard input and output as streams, which the REPL reads and writes. */
  stdin?: NodeJS.ReadableStream;
  stdoutStream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

// Exit codes: 70 and 74 are EX_SOFTWARE and EX_IOERR of sysexits.h.
const OK = 0;
const LANGUAGE_ERROR = 1;
const USAGE_ERROR = 2;
const INTERNAL_ERROR = 70;
/** Standard output could not be written: closed, full, or its reader went away. */
export const IO_ERROR = 74;
/** fetch: the server answered 4xx or 5xx. */
const HTTP_ERROR = 3;
/** fetch: no answer at all (connection refused, DNS, TLS). */
const NETWORK_ERROR = 4;

/** The most bytes --nonce takes: as many as one hash.getNonce() draws. */
const MAX_NONCE_BYTES = 1024;

const MOZ_EXAMPLE =
  "http://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2fblog?Cols=4&AccessID=mozscape-b6838361ee" +
  "&Expires={hash.getExpiryTime(240);}" +
  '&Signature={hash.append("mozscape-b6838361ee").appendNewLine().append(hash.getExpiryTime(240))' +
  '.encodeHmacSha1("0123456789abcdef0123456789abcdef").encodeBase64().encodeURL().printDigest();}';

export const HELP = `Usage: hash-helper expand [options] [TEMPLATE | -]
       hash-helper eval [options] [EXPRESSION | -]
       hash-helper sign [options] [-X METHOD] [-H 'Name: value']… [--data TEXT | --data @FILE] URL
       hash-helper fetch [options] [-i] [-X METHOD] [-H 'Name: value']… [--data …] URL
       hash-helper [repl] [options]

Expands the hash helper blocks ({hash…;} and <hash…;>) of a URL template into signatures.

Commands:
  expand     print TEMPLATE with every block replaced by its value
  eval       print the value of one EXPRESSION, such as hash.getExpiryTime(240)
  sign       expand a whole request (URL, then body, then headers, which may read each
             other and the request with hash.getRequestQuery() and the like) and print it:
             the request line, the headers, a blank line and the body
  fetch      sign the request, send it, and print the status and the response body
  repl       type expressions and templates and see their values, with Tab completion of
             method names; also what hash-helper with no arguments on a terminal starts
  help       print this help

With - as the argument, or no argument and piped input, the template or expression is read
from standard input, less one trailing newline.

Options:
  --now T        the clock: epoch seconds (1700000000, or 1700000000.594 with milliseconds;
                 --now=-60 when negative) or an ISO-8601 instant with a time zone
                 (2024-01-02T03:04:05Z, 2024-01-02T03:04:05.594Z) or a date (2024-01-02);
                 digits finer than a millisecond are dropped. Default: the current time
  --nonce HEX    the random bytes of the expansion, in hex (at most ${MAX_NONCE_BYTES} bytes):
                 hash.getNonce(n) gives the first n of them, hash.getUuid() the first 16 with
                 the version 4 and variant bits set. Default: new random bytes each time
  --secret NAME=VALUE
                 a value for hash.getSecret("NAME"); may be repeated. Visible to other users
                 of this machine in the process list: prefer the file or the environment
  --secrets-file FILE
                 secrets in dotenv format (NAME=value lines)
                 Otherwise hash.getSecret("NAME") reads the environment variable
                 HASH_HELPER_SECRET_NAME (upper case; other characters than A-Z 0-9 become _)
  --explain      also print every step of each chain, with the value after it, on stderr
                 (keys and values built from secrets are masked); in the REPL: .explain on
  --json         print the result and the steps as one JSON document on stdout instead; for
                 fetch, the signed request and the steps as sign --json prints them, and the
                 "response": status, statusText, headers (with -i) and body, or null when
                 there was no answer. What secrets built is masked in it, as in the steps
  --reveal-secrets
                 show keys and secrets in the steps, and string literals in error messages,
                 instead of masking them
  -X, --request METHOD
                 the request's method (default GET, or POST with --data)
  -H, --header 'Name: value'
                 a request header; its value may hold blocks. May be repeated
  --data TEXT, --data @FILE
                 the request body, itself a template; @FILE reads it from a file
  -i, --include  fetch: print the response headers too
  --raw-path     sign and fetch: keep the URL as written, with . and .. segments and //, for
                 the request functions to read and for sign to print. Without it the URL is
                 written as fetch sends it: dot segments resolved, spaces and non-ASCII
                 percent-encoded. fetch --raw-path sends the path as written, percent-encoding
                 only what a request line cannot carry (space, control characters, non-ASCII
                 as UTF-8), with the request's own headers and Host and Content-Length when it
                 lacks them (fetch adds Accept, User-Agent, Accept-Encoding and the like)
  -h, --help     print this help
  -V, --version  print the version

Examples:
  hash-helper eval --now 1700000000 'hash.getExpiryTime(240)'
  hash-helper expand --now 2024-01-02T03:04:05Z '${MOZ_EXAMPLE}'
  hash-helper expand < template.txt
  hash-helper expand --explain --now 1700000000 '${MOZ_EXAMPLE}'
  hash-helper fetch --secret unleashed=KEY -H 'api-auth-id: ID' -H 'client-type: acme/sync' \\
    -H 'api-auth-signature: {hash.getRequestQuery().encodeHmacSha256(hash.getSecret("unleashed")).encodeBase64().printDigest();}' \\
    'https://api.unleashedsoftware.com/Customers?customerCode=ACME'

Standard input, --data @FILE and --secrets-file must be UTF-8 text. Standard input and a body
are templates, of at most ${defaultLimits.maxTemplateLength} characters; a secrets file takes at most 1 MiB.

Exit status: 0 success, 1 error in the template or expression, 2 usage error (input that is not
UTF-8 text or is too long included), 3 the server answered 4xx or 5xx (fetch), 4 the request got
no answer (fetch), 70 internal error, 74 standard output could not be written: closed, full, or
its reader went away (as with | head, which ends the program without a message).
`;

/** A mistake in the command line itself, as opposed to one in the template. */
class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Standard output refused a write. */
class OutputError extends Error {
  override readonly name = "OutputError";
  constructor(readonly code: string | undefined) {
    super(`cannot write standard output${code === undefined ? "" : ` (${code})`}`);
  }
}

/** Writes to standard output and waits until the text is written or refused. */
async function print(io: Io, text: string): Promise<void> {
  try {
    await io.stdout.write(text);
  } catch (err) {
    throw new OutputError((err as NodeJS.ErrnoException).code);
  }
}

/** Runs the CLI and returns its exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  if (io.stdoutClosed) {
    // Before anything runs: fetch would send a request whose answer nobody could see.
    io.stderr.write("hash-helper: standard output is closed\n");
    return IO_ERROR;
  }
  const missing = new Set<string>();
  try {
    return await run(argv, io, missing);
  } catch (err) {
    if (err instanceof OutputError) {
      // A reader that went away (| head) has all it wanted; saying so would only be noise.
      if (err.code !== "EPIPE") io.stderr.write(`hash-helper: ${err.message}\n`);
      return IO_ERROR;
    }
    if (err instanceof UsageError) {
      io.stderr.write(`hash-helper: ${printable(err.message)}\nTry 'hash-helper --help'.\n`);
      return USAGE_ERROR;
    }
    if (err instanceof HashHelperError) {
      io.stderr.write(`${err.format({ color: io.stderrIsTTY && !io.env.NO_COLOR })}\n`);
      // The language says the host supplies secrets; here the host is this program.
      const missingSecret = err.problems.some((p) => p.code === "MISSING_SECRET");
      for (const name of missingSecret ? [...missing].filter(isShownName) : []) {
        io.stderr.write(
          `hash-helper reads secret ${quoteName(name)} from --secret NAME=…, --secrets-file FILE or ${secretEnvName(name)}\n`,
        );
      }
      return LANGUAGE_ERROR;
    }
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`hash-helper: internal error: ${message}\n`);
    if (io.env.HASH_HELPER_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    return INTERNAL_ERROR;
  }
}

/** `missing` gathers the names of the secrets looked for and not found, for the error's last word. */
async function run(argv: readonly string[], io: Io, missing: Set<string>): Promise<number> {
  const secretsFrom = async (...args: Parameters<typeof secretSources>) => {
    const lookup = await secretSources(...args);
    return (name: string) => {
      const value = lookup(name);
      if (value === undefined) missing.add(name);
      return value;
    };
  };
  if (argv.length === 0 && io.stdinIsTTY) {
    return repl(io, { now: undefined, secrets: await secretsFrom([], undefined, io.env), explain: false });
  }
  const { values, positionals } = parse(argv);
  if (values.help) {
    await print(io, HELP);
    return OK;
  }
  if (values.version) {
    await print(io, `${pkg.version}\n`);
    return OK;
  }

  const [command, argument, ...extra] = positionals;
  if (command === undefined) throw new UsageError("a command is required: expand, eval, sign, fetch or repl");
  if (command === "help") {
    await print(io, HELP);
    return OK;
  }
  if (!["expand", "eval", "repl", "sign", "fetch"].includes(command)) {
    // Not echoed: a template typed without its command would be quoted here, key and all.
    throw new UsageError("unknown command: the commands are expand, eval, sign, fetch and repl");
  }
  const requestFlags = [values.request, values.header, values.data, values.include, values["raw-path"]].some(
    (v) => v !== undefined,
  );
  if (requestFlags && command !== "sign" && command !== "fetch") {
    throw new UsageError(`-X, -H, --data, -i and --raw-path are for sign and fetch, not ${command}`);
  }
  if (extra.length > 0) throw new UsageError(`too many arguments: ${command} takes one; put it in quotes`);
  const now = values.now === undefined ? undefined : parseNow(values.now);
  const random = values.nonce === undefined ? undefined : nonceSource(values.nonce);
  const revealSecrets = values["reveal-secrets"] === true;
  if (command === "sign" || command === "fetch") {
    if (argument === undefined) throw new UsageError("missing URL");
    const secrets = await secretsFrom(values.secret ?? [], values["secrets-file"], io.env);
    return signOrFetch(command, argument, values, io, { now, random, secrets, revealSecrets });
  }
  if (command === "repl") {
    if (argument !== undefined) throw new UsageError("repl takes no argument");
    if (values.json) throw new UsageError("--json does not apply to the REPL");
    const secrets = await secretsFrom(values.secret ?? [], values["secrets-file"], io.env);
    return repl(io, {
      now,
      random,
      secrets,
      explain: values.explain === true,
      revealSecrets: values["reveal-secrets"] === true,
    });
  }

  let source: string;
  if (argument === "-" || (argument === undefined && !io.stdinIsTTY)) {
    // One trailing newline is the shell's (echo, a heredoc), not the template's.
    source = templateLength((await io.readStdin()).replace(/\r?\n$/, ""), "standard input");
  } else if (argument === undefined) {
    throw new UsageError(`missing ${command === "expand" ? "TEMPLATE" : "EXPRESSION"}`);
  } else {
    source = argument;
  }

  const secrets = await secretsFrom(values.secret ?? [], values["secrets-file"], io.env);
  const options = { now, random, secrets, revealSecrets };
  if (!values.explain && !values.json) {
    await print(io, `${command === "expand" ? expand(source, options) : evaluate(source, options)}\n`);
    return OK;
  }

  let explained: { explanation: Explanation; result: string };
  try {
    explained = command === "expand" ? explainAndExpand(source, options) : explainAndEvaluate(source, options);
  } catch (err) {
    // Tools reading --json get the error as JSON too; people still get the caret display.
    if (values.json && err instanceof HashHelperError) await print(io, json({ error: errorJson(err) }));
    throw err;
  }
  // The JSON is a trace, masked; the result printed after the table is the command's output.
  const { explanation, result } = explained;
  if (values.json) {
    await print(io, json(explanation));
  } else {
    io.stderr.write(formatExplanation(explanation, { color: io.stderrIsTTY && !io.env.NO_COLOR }));
    await print(io, `${result}\n`);
  }
  return OK;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

type Pairs = (readonly [string, string])[];

/**
 * `sign` prints the signed request; `fetch` sends it and prints the response. The trace and
 * --json show what secrets built masked; what is printed without --json, and sent, is the real
 * request.
 */
async function signOrFetch(
  command: "sign" | "fetch",
  url: string,
  values: ReturnType<typeof parse>["values"],
  io: Io,
  options: {
    now: number | undefined;
    random: ((bytes: Uint8Array) => void) | undefined;
    secrets: (name: string) => string | undefined;
    revealSecrets: boolean;
  },
): Promise<number> {
  const body = values.data?.startsWith("@") ? await readBody(values.data.slice(1)) : values.data;
  let request: ReturnType<typeof requestFromFlags>;
  try {
    request = requestFromFlags({ url, method: values.request, headers: values.header, body });
  } catch (err) {
    throw err instanceof RequestUsageError ? new UsageError(err.message) : err;
  }
  const explaining = values.explain === true || values.json === true;
  const rawPath = values["raw-path"] === true;
  // The URL as fetch() will send it, so that the request functions sign what goes on the wire;
  // with --raw-path, as written, which is how sendRaw() sends it.
  const signOptions = { ...options, normalizeUrl: !rawPath };
  let signed: SignedRequest<Pairs>;
  let explanation: RequestExplanation<Pairs> | undefined;
  try {
    if (explaining) {
      ({ explanation, signed } = explainAndSignRequest(request, signOptions));
      if (!values.json) {
        io.stderr.write(formatRequestExplanation(explanation, { color: io.stderrIsTTY && !io.env.NO_COLOR }));
      }
    } else {
      signed = signRequest(request, signOptions);
    }
    checkHeaders(signed);
    if (rawPath) {
      // The URL itself is not quoted: blocks may have put a secret in it.
      if (!URL.canParse(signed.url)) throw new UsageError("the expanded URL is not an absolute URL");
      if (command === "fetch") rawTarget(signed.url);
    } else if (command === "fetch") {
      // fetch() refuses such a URL itself, which would read as a request that got no answer.
      const { username, password } = new URL(signed.url);
      if (username !== "" || password !== "") {
        throw new UsageError("a URL with user:password@ cannot be sent: put the credentials in a header");
      }
    }
  } catch (err) {
    if (values.json && err instanceof HashHelperError) await print(io, json({ error: errorJson(err) }));
    if (err instanceof InvalidUrlError || err instanceof RequestUsageError) throw new UsageError(err.message);
    throw err;
  }
  const document = values.json ? explanation : undefined;
  if (command === "sign") {
    await print(io, document ? json(document) : formatRequest(signed));
    return OK;
  }
  const includeHeaders = values.include === true;
  let response: FetchResult;
  try {
    response = await (rawPath ? sendRaw(signed) : send(signed));
  } catch (err) {
    // Only a system error code (ECONNREFUSED, ENOTFOUND…): fetch's own messages may quote a
    // header value, and header values may hold secrets.
    const code = (err as { cause?: { code?: unknown } }).cause?.code;
    if (document) await print(io, json({ ...document, response: null }));
    io.stderr.write(`hash-helper: the request got no answer${typeof code === "string" ? ` (${code})` : ""}\n`);
    return NETWORK_ERROR;
  }
  if (document) {
    const { status, statusText, body: text } = response;
    await print(io, json({ ...document, response: includeHeaders ? response : { status, statusText, body: text } }));
  } else {
    await print(io, formatResponse(response, { includeHeaders }));
  }
  if (response.status >= 400) {
    const more = explaining ? "" : "; add --explain to see every step of what was signed";
    io.stderr.write(`hash-helper: the server answered ${response.status}${more}\n`);
    return HTTP_ERROR;
  }
  return OK;
}

/** What --json prints for a mistake in the template: the error's own fields, keys masked. */
function errorJson(err: HashHelperError) {
  return { code: err.code, message: err.message, span: err.span, hint: err.hint, problems: err.problems };
}

/** Runs the REPL until it ends. */
async function repl(
  io: Io,
  options: {
    now: number | undefined;
    random?: ((bytes: Uint8Array) => void) | undefined;
    secrets: (name: string) => string | undefined;
    explain: boolean;
    revealSecrets?: boolean;
  },
): Promise<number> {
  const { stdin, stdoutStream } = io;
  if (!stdin || !stdoutStream) throw new UsageError("the REPL needs standard input and output");
  // Loaded when the REPL starts: its modules (readline, streams) are start-up the other commands
  // do not need. esbuild keeps it in the one bundle, evaluated on this first import.
  const { startRepl } = await import("../repl/repl.ts");
  const { closed } = await startRepl({
    input: stdin,
    output: stdoutStream,
    terminal: io.stdinIsTTY && stdoutStream.isTTY === true,
    env: io.env,
    parseNow,
    ...options,
  });
  await closed;
  return OK;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        now: { type: "string" },
        nonce: { type: "string" },
        "raw-path": { type: "boolean" },
        secret: { type: "string", multiple: true },
        "secrets-file": { type: "string" },
        explain: { type: "boolean" },
        request: { type: "string", short: "X" },
        header: { type: "string", short: "H", multiple: true },
        data: { type: "string" },
        include: { type: "boolean", short: "i" },
        json: { type: "boolean" },
        "reveal-secrets": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "V" },
      },
    });
  } catch (err) {
    // parseArgs's own messages run over several lines, and the unknown-option one is garbled.
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      throw new UsageError(`unknown option '${/'([^']*)'/.exec(message)?.[1] ?? "?"}'`);
    }
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) {
      throw new UsageError(message.replace(/\s*\n\s*/g, " "));
    }
    throw err;
  }
}

// ISO 8601 extended format, as RFC 3339 §5.6 profiles it: a date alone, or a date and time with
// a zone designator. A time without a zone is rejected: its instant depends on where it is read.
const ISO_INSTANT =
  /^(?<year>\d{4})-(?<month>\d{2})-(?<day>\d{2})(?:[Tt](?<hour>\d{2}):(?<minute>\d{2})(?::(?<second>\d{2})(?:[.,](?<fraction>\d+))?)?(?<zone>[Zz]|[+-]\d{2}(?::?\d{2})?))?$/;

/** The largest distance from the epoch a Date can hold (ECMA-262 §21.4.1.22). */
const MAX_DATE_MS = 8.64e15;

/** Epoch seconds, with a fraction after a point: `-` digits `.` digits. */
const EPOCH_SECONDS = /^(?<sign>-?)(?<whole>\d+)(?:\.(?<fraction>\d+))?$/;

/** `--now` as epoch milliseconds, refused up front when no Date can hold it. */
export function parseNow(text: string): number {
  const epoch = EPOCH_SECONDS.exec(text)?.groups;
  const ms = epoch ? epochMs(epoch.sign === "-", epoch.whole ?? "", epoch.fraction ?? "") : isoInstant(text);
  // The four-digit years of ISO_INSTANT keep its instants well inside; epoch seconds need the check.
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_DATE_MS) throw new UsageError("--now: out of range");
  return ms;
}

/**
 * Epoch seconds as milliseconds, from the digits: 1.005 is 1005 ms exactly, where the float
 * 1.005 * 1000 is 1004.999…. The clock counts milliseconds: finer digits are dropped, toward the
 * past, as they are from an ISO-8601 fraction.
 */
function epochMs(negative: boolean, whole: string, fraction: string): number {
  // A string of decimal digits within 2^53 converts exactly; beyond it, parseNow refuses the result.
  const magnitude = Number(`${whole}${fraction.slice(0, 3).padEnd(3, "0")}`);
  const dropped = /[1-9]/.test(fraction.slice(3)) ? 1 : 0;
  // + 0 turns -0 into 0.
  return (negative ? -(magnitude + dropped) : magnitude) + 0;
}

function isoInstant(text: string): number {
  const groups = ISO_INSTANT.exec(text)?.groups;
  if (!groups) {
    throw new UsageError(
      "--now: expected epoch seconds or an ISO-8601 instant such as 2024-01-02T03:04:05Z or a date such as 2024-01-02",
    );
  }
  const field = (name: string) => Number(groups[name] ?? 0);
  const [year, month, day] = [field("year"), field("month"), field("day")];
  const [hour, minute, second] = [field("hour"), field("minute"), field("second")];
  const fraction = groups.fraction ?? "";
  const zone = groups.zone ?? "Z";
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) {
    throw new UsageError("--now: not a valid date and time");
  }
  let offsetMinutes = 0;
  if (zone !== "Z" && zone !== "z") {
    const digits = zone.replace(":", "");
    const h = Number(digits.slice(1, 3));
    const min = Number(digits.slice(3, 5));
    if (h > 23 || min > 59) throw new UsageError("--now: not a valid time zone offset");
    offsetMinutes = (zone[0] === "-" ? -1 : 1) * (h * 60 + min);
  }
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, "0").slice(0, 3)));
  return date.getTime() - offsetMinutes * 60_000;
}

/**
 * The random source of --nonce: each draw gets the first bytes of HEX, so that getNonce(n)
 * gives its first n bytes and getUuid() its first 16. A draw of more bytes than HEX holds is
 * refused with a message the error shows (the bytes not quoted: short, and no secret, but noise).
 */
function nonceSource(hex: string): (bytes: Uint8Array) => void {
  if (hex.length > 2 * MAX_NONCE_BYTES) {
    throw new UsageError(`--nonce: at most ${MAX_NONCE_BYTES} bytes (${2 * MAX_NONCE_BYTES} hex digits)`);
  }
  if (!/^(?:[0-9A-Fa-f]{2})+$/.test(hex)) {
    throw new UsageError("--nonce takes bytes as hex digits, two for each, such as 00112233445566778899aabbccddeeff");
  }
  const nonce = Uint8Array.from(Buffer.from(hex, "hex"));
  return (bytes) => {
    if (bytes.length > nonce.length) {
      throw new Error(`--nonce gives ${nonce.length} bytes, and ${bytes.length} are needed`);
    }
    bytes.set(nonce.subarray(0, bytes.length));
  };
}

/**
 * Where hash.getSecret() looks, first to last: --secret flags (the last one of a name wins),
 * the --secrets-file, then HASH_HELPER_SECRET_<NAME> in the environment. Messages name flags,
 * files and line numbers, never a value.
 */
async function secretSources(
  flags: readonly string[],
  file: string | undefined,
  env: Io["env"],
): Promise<(name: string) => string | undefined> {
  const given = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new UsageError("--secret takes NAME=VALUE");
    given.set(flag.slice(0, eq), flag.slice(eq + 1));
  }
  let fromFile = new Map<string, string>();
  if (file !== undefined) {
    const text = await readFileText(file, `--secrets-file ${file}`, SECRETS_FILE_BYTES, "larger than 1 MiB");
    try {
      fromFile = parseDotenv(text);
    } catch (err) {
      throw new UsageError(`--secrets-file ${file}: ${(err as Error).message}`);
    }
  }
  return (name) => given.get(name) ?? fromFile.get(name) ?? env[secretEnvName(name)];
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 ? (leap ? 29 : 28) : ([31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0);
}

const { maxTemplateLength } = defaultLimits;
// UTF-8 takes at most 3 bytes for each UTF-16 code unit (4 for a surrogate pair), so no text
// within maxTemplateLength takes more bytes than this.
const TEMPLATE_BYTES = 3 * maxTemplateLength;
const TOO_LONG = `longer than a template may be (limit maxTemplateLength is ${maxTemplateLength})`;
const SECRETS_FILE_BYTES = 1024 * 1024;

/** The exact check after decoding, of text that the byte bound let through. */
function templateLength(text: string, what: string): string {
  if (text.length > maxTemplateLength) throw new UsageError(`${what}: ${TOO_LONG}`);
  return text;
}

/**
 * Decodes what was read in, the one way for every input: UTF-8, or a usage error, since other
 * bytes would be signed and sent changed. A byte order mark is kept, as every other byte is.
 */
function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new UsageError(`${what}: not UTF-8 text`);
  }
}

/**
 * A stream's text, read to its end or until it has given more than maxBytes, which is a usage
 * error. Leaving the loop destroys the stream, so an endless one (yes |, /dev/zero) is never
 * read whole.
 */
async function readText(stream: AsyncIterable<Buffer>, what: string, maxBytes: number, tooLarge: string) {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > maxBytes) throw new UsageError(`${what}: ${tooLarge}`);
    chunks.push(chunk);
  }
  return decodeUtf8(Buffer.concat(chunks), what);
}

async function readFileText(path: string, what: string, maxBytes: number, tooLarge: string): Promise<string> {
  try {
    return await readText(createReadStream(path), what, maxBytes, tooLarge);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`${what}: ${(err as NodeJS.ErrnoException).code ?? "cannot be read"}`);
  }
}

/** A --data @FILE body, which is a template too. */
async function readBody(file: string): Promise<string> {
  const what = `--data @${file}`;
  return templateLength(await readFileText(file, what, TEMPLATE_BYTES, TOO_LONG), what);
}

export async function readStdin(): Promise<string> {
  // Node gives a directory on standard input as a stream with nothing in it.
  if (fstatSync(0).isDirectory()) throw new UsageError("standard input is a directory");
  // Two bytes more for the trailing newline, which is not the template's.
  return readText(process.stdin, "standard input", TEMPLATE_BYTES + 2, TOO_LONG);
}

/** The environment variable the CLI reads a secret from: HASH_HELPER_SECRET_API_KEY for api-key. */
export function secretEnvName(name: string): string {
  return `HASH_HELPER_SECRET_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
}

/**
 * A message as a terminal may show it: a file name or an option typed with control characters
 * (`$'\e[2J\nerror[FAKE] ok'`) would clear the screen or forge a line.
 */
function printable(message: string): string {
  let out = "";
  for (const c of message) {
    const code = c.charCodeAt(0);
    const unsafe =
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0x2028 && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069);
    out += unsafe ? `\\u${code.toString(16).padStart(4, "0")}` : c;
  }
  return out;
}
