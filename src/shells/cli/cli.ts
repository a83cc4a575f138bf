import { createReadStream, fstatSync } from "node:fs";
import { parseArgs } from "node:util";
// esbuild inlines the JSON into dist/cli.cjs, so the version needs no file lookup at run time.
import pkg from "../../../package.json" with { type: "json" };
import {
  type Diagnostic,
  defaultLimits,
  type Explanation,
  evaluate,
  expand,
  explainAndEvaluate,
  explainAndExpand,
  explainAndSignRequest,
  formatDiagnostics,
  formatExplanation,
  formatRequestExplanation,
  HashHelperError,
  InvalidUrlError,
  isExpression,
  isShownName,
  lint,
  quoteName,
  type RequestExplanation,
  type RequestTemplate,
  type SignedRequest,
  signRequest,
  suggest,
} from "../../index.ts";
import {
  BodyTooLarge,
  CREDENTIAL_HEADERS,
  checkHeaders,
  DEFAULT_MAX_BODY,
  type FetchResult,
  formatRequest,
  formatResponse,
  literalUrl,
  MAX_REDIRECTS,
  REDIRECT_STATUSES,
  RequestUsageError,
  rawTarget,
  redirectedRequest,
  redirectLocation,
  requestFromFlags,
  type SendOptions,
  send,
  sendRaw,
} from "./cli-request.ts";
import {
  COMMANDS,
  type CommandName,
  commandHelp,
  FLAGS,
  findCommand,
  globalHelp,
  parseArgsOptions,
  takes,
} from "./commands.ts";
import { DotenvError, parseDotenv } from "./dotenv.ts";
import {
  HttpFileError,
  type HttpRequest,
  httpRequestTemplate,
  type Placed,
  parseHttpFile,
  placeInFile,
} from "./http-file.ts";

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
  /** Whether standard output is a terminal (lint prints its diagnostics there). Default: false. */
  stdoutIsTTY?: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** Standard input and output as streams, which the REPL reads and writes. */
  stdin?: NodeJS.ReadableStream;
  stdoutStream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

// Exit codes: 70 and 74 are EX_SOFTWARE and EX_IOERR of sysexits.h.
const OK = 0;
const LANGUAGE_ERROR = 1;
/** lint: a warning or an error was found. */
const LINT_FOUND = 1;
const USAGE_ERROR = 2;
const INTERNAL_ERROR = 70;
/** Standard output could not be written: closed, full, or its reader went away. */
export const IO_ERROR = 74;
/** fetch: the server answered 4xx or 5xx. */
const HTTP_ERROR = 3;
/** fetch: no answer at all (connection refused, DNS, TLS), or not within --timeout. */
const NETWORK_ERROR = 4;

/** The most bytes --nonce takes: as many as one hash.getNonce() draws. */
const MAX_NONCE_BYTES = 1024;

/** fetch's default --timeout, in seconds. */
const DEFAULT_TIMEOUT_S = 30;

const MOZ_EXAMPLE =
  "https://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2fblog?Cols=4&AccessID=mozscape-b6838361ee" +
  "&Expires={hash.getExpiryTime(240);}" +
  '&Signature={hash.append("mozscape-b6838361ee").appendNewLine().append(hash.getExpiryTime(240))' +
  '.encodeHmacSha1("0123456789abcdef0123456789abcdef").encodeBase64().encodeURL().printDigest();}';

/** The help of `command`, or the whole help. Built when asked for. */
export function help(command?: string): string {
  const found = command === undefined ? undefined : findCommand(command);
  if (found) return commandHelp(found);
  return globalHelp({
    maxTemplateLength: defaultLimits.maxTemplateLength,
    examples: [
      "hash-helper eval --now 1700000000 'hash.getExpiryTime(240)'",
      `hash-helper expand --now 2024-01-02T03:04:05Z '${MOZ_EXAMPLE}'`,
      "hash-helper expand < template.txt",
      `hash-helper expand --explain --now 1700000000 '${MOZ_EXAMPLE}'`,
      "hash-helper fetch --secret unleashed=KEY -H 'api-auth-id: ID' -H 'client-type: acme/sync' \\",
      "  -H 'api-auth-signature: {hash.getRequestQuery().encodeHmacSha256(hash.getSecret(\"unleashed\")).encodeBase64().printDigest();}' \\",
      "  'https://api.unleashedsoftware.com/Customers?customerCode=ACME'",
      "hash-helper sign --secrets-file api.env request.http",
      'hash-helper lint --request -H \'Authorization: {hash.append("x").encodeHmacSha1("key").toHex().printDigest();}\' https://x.test/',
    ],
  });
}

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

/** Whether each stream gets color. */
interface Colors {
  stdout: boolean;
  stderr: boolean;
}

/**
 * Color, first to last: the last of --color and --no-color; FORCE_COLOR set, empty included, as
 * Node's getColorDepth() and supports-color read it (force-color.org), but for 0 and false, which
 * Node reads as no color (and which, as in Node, wins over NO_COLOR); NO_COLOR set and not empty
 * (no-color.org) or TERM=dumb (clig.dev); else whether the stream is a terminal.
 */
function colors(choice: boolean | undefined, io: Io): Colors {
  const decide = (isTTY: boolean) => {
    if (choice !== undefined) return choice;
    const force = io.env.FORCE_COLOR;
    if (force !== undefined) return !/^(?:0|false)$/i.test(force);
    if ((io.env.NO_COLOR ?? "") !== "" || io.env.TERM === "dumb") return false;
    return isTTY;
  };
  return { stdout: decide(io.stdoutIsTTY === true), stderr: decide(io.stderrIsTTY) };
}

/** Runs the CLI and returns its exit status. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  if (io.stdoutClosed) {
    // Before anything runs: fetch would send a request whose answer nobody could see.
    io.stderr.write("hash-helper: standard output is closed\n");
    return IO_ERROR;
  }
  const missing = new Set<string>();
  const state: State = { command: undefined, colors: colors(undefined, io) };
  try {
    return await run(argv, io, missing, state);
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
      io.stderr.write(`${err.format({ color: state.colors.stderr })}\n`);
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

/** What main() needs to know of the run when it reports an error. */
interface State {
  command: CommandName | undefined;
  colors: Colors;
}

type Values = ReturnType<typeof parse>["values"];
type Secrets = (name: string) => string | undefined;

/** `missing` gathers the names of the secrets looked for and not found, for the error's last word. */
async function run(argv: readonly string[], io: Io, missing: Set<string>, state: State): Promise<number> {
  const secretsFrom = async (values: Values) => {
    const lookup = await secretSources(values.secret ?? [], values["secrets-file"], io.env);
    return (name: string) => {
      const value = lookup(name);
      if (value === undefined) missing.add(name);
      return value;
    };
  };
  if (argv.length === 0 && io.stdinIsTTY) {
    return repl(io, { now: undefined, secrets: await secretsFrom({}), explain: false });
  }
  const { values, positionals, colorChoice, lintRequest } = parse(argv);
  state.colors = colors(colorChoice, io);
  const [first, ...rest] = positionals;
  const command = first === undefined ? undefined : resolveCommand(first);
  state.command = command;
  if (values.help) {
    await print(io, help(command));
    return OK;
  }
  if (values.version) {
    await print(io, `${pkg.version}\n`);
    return OK;
  }
  if (command === undefined) throw new UsageError(`a command is required: ${COMMANDS.map((c) => c.name).join(", ")}`);
  checkFlags(command, values);
  if (command === "help") {
    if (rest.length > 1) throw new UsageError("help takes one COMMAND");
    await print(io, help(rest[0] === undefined ? undefined : resolveCommand(rest[0])));
    return OK;
  }
  const [argument, ...extra] = rest;
  if (extra.length > 0) throw new UsageError(`too many arguments: ${command} takes one; put it in quotes`);
  if (command === "completion") {
    const { completionScript } = await import("./completion.ts");
    if (argument === undefined) throw new UsageError("completion takes the shell: bash, zsh or fish");
    const script = completionScript(argument);
    if (script === undefined) throw new UsageError("completion takes bash, zsh or fish");
    await print(io, script);
    return OK;
  }
  const now = values.now === undefined ? undefined : parseNow(values.now);
  const random = values.nonce === undefined ? undefined : nonceSource(values.nonce);
  const revealSecrets = values["reveal-secrets"] === true;
  if (command === "lint") return lintCommand(argument, values, io, state, lintRequest, await secretsFrom(values));
  if (command === "sign" || command === "fetch") {
    const { template, locate } = await requestFrom(command, argument, values, io);
    const secrets = await secretsFrom(values);
    const signing = { now, random, secrets, revealSecrets, locate };
    return signOrFetch(command, template, values, io, state.colors, signing);
  }
  if (command === "repl") {
    if (argument !== undefined) throw new UsageError("repl takes no argument");
    const secrets = await secretsFrom(values);
    return repl(io, { now, random, secrets, explain: values.explain === true, revealSecrets });
  }

  const source = await templateFrom(command, argument, io);
  const secrets = await secretsFrom(values);
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
    io.stderr.write(formatExplanation(explanation, { color: state.colors.stderr }));
    printLintNotes(io, state.colors, source, secrets, command === "eval");
    await print(io, `${result}\n`);
  }
  return OK;
}

/** The command a word names, or a usage error that suggests the closest one. */
function resolveCommand(word: string): CommandName {
  const found = findCommand(word);
  if (found) return found.name;
  const names = COMMANDS.map((c) => c.name);
  // The word is not echoed: a template typed without its command would be quoted here, key and all.
  const close = word.length <= 20 ? suggest(word, names) : undefined;
  const guess = close ? `did you mean '${close}'? ` : "";
  throw new UsageError(`unknown command: ${guess}the commands are ${names.join(", ")}`);
}

/** Refuses a flag given to a command that does not take it. */
function checkFlags(command: CommandName, values: Values): void {
  for (const flag of FLAGS) {
    if ((values as Record<string, unknown>)[flag.name] === undefined || takes(flag, command)) continue;
    const those = COMMANDS.filter((c) => takes(flag, c.name)).map((c) => c.name);
    const list = those.length > 1 ? `${those.slice(0, -1).join(", ")} and ${those.at(-1)}` : those.join("");
    throw new UsageError(`--${flag.name} is for ${list}, not ${command}`);
  }
}

/** Whether the argument of sign, fetch or lint names a .http file rather than being a URL. */
function isHttpFileName(argument: string): boolean {
  return /\.(?:http|rest)$/i.test(argument) && !/[\s{}<>]|:\/\//.test(argument);
}

/**
 * The template of expand, eval and lint: the argument; @FILE, from a file; - (or nothing, with
 * piped input), standard input. A file or standard input lose one trailing newline, and must
 * not be empty.
 */
async function templateFrom(command: CommandName, argument: string | undefined, io: Io): Promise<string> {
  let text: string;
  let what: string;
  if (argument === "-" || (argument === undefined && !io.stdinIsTTY)) {
    what = "standard input";
    text = await io.readStdin();
  } else if (argument === undefined) {
    throw new UsageError(`missing ${command === "eval" ? "EXPRESSION" : "TEMPLATE"}`);
  } else if (argument.startsWith("@") && argument.length > 1) {
    what = argument;
    text = await readFileText(argument.slice(1), argument, TEMPLATE_BYTES + 2, TOO_LONG);
  } else {
    return argument;
  }
  // One trailing newline is the shell's (echo, a heredoc) or the editor's, not the template's.
  const source = templateLength(text.replace(/\r?\n$/, ""), what);
  if (source === "") {
    throw new UsageError(`${what} is empty: there is no ${command === "eval" ? "expression" : "template"} to read`);
  }
  return source;
}

/** A diagnostic or a problem of a request, its spans moved to where the request was read from. */
type Locate = <T extends Placed>(d: T) => T;

/**
 * The request of sign, fetch and lint: from a .http file (or - for standard input), or from the
 * flags; and where lint's spans in its parts are in the file (as they are, for the flags).
 */
async function requestFrom(
  command: CommandName,
  argument: string | undefined,
  values: Values,
  io: Io,
): Promise<{ template: RequestTemplate<Pairs>; locate: Locate }> {
  if (argument === undefined)
    throw new UsageError("missing URL (or a .http file, or - to read one from standard input)");
  const fromFile = isHttpFileName(argument) || argument === "-";
  if (!fromFile) {
    if (values.name !== undefined) throw new UsageError("--name picks a request of a .http file");
    const body = values.data?.startsWith("@") ? await readBody(values.data.slice(1)) : values.data;
    try {
      const template = requestFromFlags({ url: argument, method: values.request, headers: values.header, body });
      return { template, locate: (d) => d };
    } catch (err) {
      throw err instanceof RequestUsageError ? new UsageError(err.message) : err;
    }
  }
  if (values.request !== undefined || values.header !== undefined || values.data !== undefined) {
    throw new UsageError(
      `-X, -H and --data do not apply to a request read from a .http file: ${command} takes it as written`,
    );
  }
  const { what, requests, text } = await httpFile(argument, io);
  const chosen = pickRequest(requests, values.name, what);
  return { template: requestTemplate(chosen, what), locate: (d) => placeInFile(d, chosen, text) };
}

/** The requests of a .http file, or of standard input for -, and the text they were read from. */
async function httpFile(argument: string, io: Io): Promise<{ what: string; requests: HttpRequest[]; text: string }> {
  const what = argument === "-" ? "standard input" : argument;
  const text =
    argument === "-"
      ? await io.readStdin()
      : await readFileText(argument, argument, HTTP_FILE_BYTES, "larger than 4 MiB");
  try {
    return { what, requests: parseHttpFile(text), text };
  } catch (err) {
    if (err instanceof HttpFileError) throw new UsageError(`${what}: ${err.message}`);
    throw err;
  }
}

/** A request of a .http file as signRequest() takes it (as the REPL's .load does), refused when it cannot be sent. */
function requestTemplate(chosen: HttpRequest, what: string): RequestTemplate<Pairs> {
  try {
    return httpRequestTemplate(chosen);
  } catch (err) {
    if (err instanceof HttpFileError) throw new UsageError(`${what}: ${err.message}`);
    throw err;
  }
}

/** How many requests of a .http file a usage error names. */
const LISTED_REQUESTS = 10;

/** The request --name names, or the only one; a usage error that lists the first names otherwise. */
function pickRequest(requests: readonly HttpRequest[], name: string | undefined, what: string): HttpRequest {
  const label = (r: HttpRequest) => (r.name === undefined ? `the request of line ${r.line}` : `'${r.name}'`);
  // A file may hold thousands of requests: the first few are enough to see how they are named.
  const list = () => {
    const shown = requests.slice(0, LISTED_REQUESTS).map(label).join(", ");
    const more = requests.length - LISTED_REQUESTS;
    return more > 0 ? `${shown}, … and ${more} more` : shown;
  };
  if (requests.length === 0) throw new UsageError(`${what} holds no request`);
  if (name === undefined) {
    const [only] = requests;
    if (requests.length === 1 && only) return only;
    throw new UsageError(`${what} holds ${requests.length} requests: pick one with --name (${list()})`);
  }
  const found = requests.filter((r) => r.name === name);
  if (found.length === 1 && found[0]) return found[0];
  if (found.length > 1) throw new UsageError(`${what} holds ${found.length} requests named '${name}'`);
  const close = suggest(
    name,
    requests.flatMap((r) => (r.name === undefined ? [] : [r.name])),
  );
  throw new UsageError(
    `${what} holds no request named '${name}'${close ? `: did you mean '${close}'?` : ""} (it holds ${list()})`,
  );
}

/** After a trace: what lint finds, on stderr as the trace is. Errors cannot be there: it ran. */
function printLintNotes(
  io: Io,
  colors: Colors,
  input: string | RequestTemplate<Pairs>,
  secrets: Secrets,
  expression = false,
  locate: Locate = (d) => d,
): void {
  const notes = lint(input, { secrets, expression })
    .filter((d) => d.severity !== "error")
    .map(locate);
  // A blank line apart from the trace, as the trace's blocks are from each other.
  if (notes.length > 0) io.stderr.write(`\n${formatDiagnostics(notes, { color: colors.stderr })}\n`);
}

/** hash-helper lint: the diagnostics of a template or a request, all in one run. */
async function lintCommand(
  argument: string | undefined,
  values: Values,
  io: Io,
  state: State,
  requestMode: boolean,
  secrets: Secrets,
): Promise<number> {
  const isRequest =
    requestMode ||
    values.request !== undefined ||
    values.header !== undefined ||
    values.data !== undefined ||
    values.name !== undefined ||
    (argument !== undefined && isHttpFileName(argument));
  const source = isRequest ? (argument ?? (io.stdinIsTTY ? undefined : "-")) : argument;
  const fromFile = isRequest && source !== undefined && (source === "-" || isHttpFileName(source));
  if (fromFile) {
    if (values.request !== undefined || values.header !== undefined || values.data !== undefined) {
      throw new UsageError(
        "-X, -H and --data do not apply to a request read from a .http file: lint takes it as written",
      );
    }
    // Every request of the file (or the one --name names), in one run; each diagnostic says
    // which request it is in, and where in the file: lint's spans are in the request's parts.
    const { what, requests: inFileOrder, text } = await httpFile(source, io);
    if (inFileOrder.length === 0) throw new UsageError(`${what} holds no request`);
    const requests = values.name === undefined ? inFileOrder : [pickRequest(inFileOrder, values.name, what)];
    const found = requests.map((r) => ({
      request: { name: r.name, line: r.line },
      diagnostics: lint(requestTemplate(r, what), { secrets }).map((d) => placeInFile(d, r, text)),
    }));
    const all = found.flatMap((f) => f.diagnostics);
    if (values.json) {
      await print(
        io,
        json({ diagnostics: found.flatMap((f) => f.diagnostics.map((d) => ({ ...d, request: f.request }))) }),
      );
    } else if (all.length > 0) {
      const shown = found
        .filter((f) => f.diagnostics.length > 0)
        .map((f) => {
          const text = formatDiagnostics(f.diagnostics, { color: state.colors.stdout });
          if (requests.length === 1) return text;
          const label = f.request.name === undefined ? "" : ` '${printable(f.request.name)}'`;
          return `${what}: the request${label} of line ${f.request.line}:\n${text}`;
        });
      await print(io, `${shown.join("\n\n")}\n\n${summary(all)}\n`);
    }
    return exitFor(all);
  }
  const input = isRequest
    ? (await requestFrom("lint", source, values, io)).template
    : await templateFrom("lint", argument, io);
  // A bare expression (hash.… first) is linted as eval reads it: as a template it would be text.
  const diagnostics = lint(input, { secrets, expression: typeof input === "string" && isExpression(input) });
  if (values.json) {
    await print(io, json({ diagnostics }));
  } else if (diagnostics.length > 0) {
    await print(io, `${formatDiagnostics(diagnostics, { color: state.colors.stdout })}\n\n${summary(diagnostics)}\n`);
  }
  return exitFor(diagnostics);
}

/** lint's exit status: 1 when it found a warning or an error, 0 for nothing or notes only. */
const exitFor = (diagnostics: readonly Diagnostic[]) =>
  diagnostics.some((d) => d.severity !== "info") ? LINT_FOUND : OK;

/** `1 error, 2 warnings, 1 note` */
function summary(diagnostics: readonly Diagnostic[]): string {
  const count = (severity: Diagnostic["severity"], word: string) => {
    const n = diagnostics.filter((d) => d.severity === severity).length;
    return n === 0 ? [] : [`${n} ${word}${n === 1 ? "" : "s"}`];
  };
  return [...count("error", "error"), ...count("warning", "warning"), ...count("info", "note")].join(", ");
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

type Pairs = (readonly [string, string])[];

interface SigningOptions {
  now: number | undefined;
  random: ((bytes: Uint8Array) => void) | undefined;
  secrets: Secrets;
  revealSecrets: boolean;
  /** Where lint's spans are in the .http file the request was read from. */
  locate: Locate;
}

/** --timeout as milliseconds, 0 for none. */
function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_S * 1000;
  const ms = /^\d+(?:\.\d+)?$/.test(text) ? Math.round(Number(text) * 1000) : Number.NaN;
  // setTimeout's longest delay (2^31 - 1 ms), about 24 days.
  if (!Number.isFinite(ms) || ms > 2 ** 31 - 1)
    throw new UsageError("--timeout takes seconds, such as 30 or 2.5 (0 for none)");
  return ms;
}

/** --max-filesize as bytes, 0 for none: digits, and K, M or G for 1024, 1024² or 1024³ of them (as curl takes it). */
function parseMaxFilesize(text: string | undefined): number {
  if (text === undefined) return DEFAULT_MAX_BODY;
  const match = /^(\d+)([KMG]?)$/i.exec(text);
  const power = { "": 0, K: 1, M: 2, G: 3 }[(match?.[2] ?? "").toUpperCase() as "" | "K" | "M" | "G"];
  const bytes = match ? Number(match[1]) * 1024 ** power : Number.NaN;
  if (!Number.isSafeInteger(bytes))
    throw new UsageError("--max-filesize takes bytes, such as 1048576, 512K or 64M (0 for none)");
  return bytes;
}

/** `64 MiB`, `512 KiB`, `1000 bytes`: a --max-filesize as a message says it. */
function sizeWords(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}

/**
 * hash-helper sign and fetch. With --explain, the trace goes to stderr, then the output. With
 * --json, the trace is the output, with the error as JSON if there is one. fetch -L follows
 * redirects, signing the request again for each new URL.
 */
async function signOrFetch(
  command: "sign" | "fetch",
  template: RequestTemplate<Pairs>,
  values: Values,
  io: Io,
  colors: Colors,
  options: SigningOptions,
): Promise<number> {
  const timeoutMs = command === "fetch" ? parseTimeout(values.timeout) : 0;
  const maxBody = parseMaxFilesize(values["max-filesize"]);
  const follow = values.location === true;
  const explaining = values.explain === true || values.json === true;
  const rawPath = values["raw-path"] === true;
  // The URL as fetch() will send it, so that the request functions sign what goes on the wire;
  // with --raw-path, as written, which is how sendRaw() sends it.
  const { locate, ...signing } = options;
  const signOptions = { ...signing, normalizeUrl: !rawPath };

  /**
   * Signs one request (the first, or one a redirect asked for), tracing it when asked to.
   * `dropped`: the names of the headers a redirect to another origin took out of the request.
   */
  const signOne = async (request: RequestTemplate<Pairs>, traced: boolean, dropped: readonly string[] = []) => {
    let signed: SignedRequest<Pairs>;
    let explanation: RequestExplanation<Pairs> | undefined;
    try {
      if (traced) {
        ({ explanation, signed } = explainAndSignRequest(request, signOptions));
        if (explaining && !values.json) {
          io.stderr.write(formatRequestExplanation(explanation, { color: colors.stderr }));
          // The file's positions are of the request as read, not of one a redirect made.
          printLintNotes(io, colors, request, options.secrets, false, request === template ? locate : undefined);
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
    } catch (caught) {
      const refused = caught instanceof HashHelperError ? droppedAndRead(caught, dropped) : undefined;
      if (refused) throw refused;
      // The errors of a request read from a .http file say where they are in the file.
      const err =
        caught instanceof HashHelperError && request === template
          ? new HashHelperError(caught.problems.map(locate), caught.omitted)
          : caught;
      if (values.json && err instanceof HashHelperError) await print(io, json({ error: errorJson(err) }));
      if (err instanceof InvalidUrlError || err instanceof RequestUsageError) throw new UsageError(err.message);
      throw err;
    }
    return { signed, explanation };
  };

  // -L needs the trace to know which headers were built from secrets, which go to no other origin.
  let { signed, explanation } = await signOne(template, explaining || follow);
  if (command === "sign") {
    await print(io, values.json && explanation ? json(explanation) : formatRequest(signed));
    return OK;
  }

  const includeHeaders = values.include === true;
  const signal = timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined;
  let request = template;
  const sendOptions: SendOptions = {
    defaults: [["User-Agent", `hash-helper/${pkg.version}`]],
    maxBody,
    // A redirect that will be followed: its body is dropped unread (it may be endless).
    skipBody: (answer) =>
      follow && REDIRECT_STATUSES.includes(answer.status) && redirectLocation(answer, signed.url) !== undefined,
    ...(signal ? { signal } : {}),
  };
  const noAnswer = async (message: string) => {
    if (values.json && explanation) await print(io, json({ ...explanation, response: null }));
    io.stderr.write(`hash-helper: ${message}\n`);
    return NETWORK_ERROR;
  };
  const dropped = new Set(CREDENTIAL_HEADERS);
  let secretBody = false;
  if (follow && explanation) {
    for (const name of builtFromSecrets(explanation)) {
      if (name === "body") secretBody = true;
      else dropped.add(name);
    }
  }
  let response: FetchResult;
  for (let redirects = 0; ; redirects++) {
    try {
      response = await (rawPath ? sendRaw(signed, undefined, sendOptions) : send(signed, sendOptions));
    } catch (err) {
      if (err instanceof BodyTooLarge) {
        return noAnswer(`the response body is larger than ${sizeWords(err.limit)} (--max-filesize): not read further`);
      }
      if (signal?.aborted) return noAnswer(`no answer within ${values.timeout ?? DEFAULT_TIMEOUT_S} s (--timeout)`);
      // Only a system error code (ECONNREFUSED, ENOTFOUND…): fetch's own messages may quote a
      // header value, and header values may hold secrets.
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      return noAnswer(`the request got no answer${typeof code === "string" ? ` (${code})` : ""}`);
    }
    if (!follow || !REDIRECT_STATUSES.includes(response.status)) break;
    const next = redirectLocation(response, signed.url);
    if (!next) break;
    if (redirects === MAX_REDIRECTS) return noAnswer(`more than ${MAX_REDIRECTS} redirects: not followed further`);
    if (next.protocol !== "http:" && next.protocol !== "https:") {
      return noAnswer("a redirect to a URL that is not http or https: not followed");
    }
    const crossOrigin = next.origin !== new URL(signed.url).origin;
    const before = request.headers ?? [];
    // Dropped for good, as fetch() does: a later redirect back to the first origin does not bring them back.
    request = redirectedRequest(request, response.status, literalUrl(next), crossOrigin ? dropped : new Set());
    if (crossOrigin && secretBody && request.body !== undefined) {
      return noAnswer("a redirect to another origin would send it a body built from a secret: not followed");
    }
    const removed = crossOrigin ? before.filter(([name]) => dropped.has(name.toLowerCase())).map(([name]) => name) : [];
    try {
      ({ signed, explanation } = await signOne(request, explaining, removed));
    } catch (err) {
      if (err instanceof DroppedHeaderRead) return noAnswer(err.message);
      throw err;
    }
  }
  if (values.json && explanation) {
    const { status, statusText, body: text } = response;
    await print(io, json({ ...explanation, response: includeHeaders ? response : { status, statusText, body: text } }));
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

/** A template of a redirected request reads a header the redirect to another origin dropped. */
class DroppedHeaderRead extends Error {
  override readonly name = "DroppedHeaderRead";
}

/**
 * The refusal to follow a redirect when the request it asks for cannot be signed because a
 * template reads (getRequestHeader) a header that does not go to the new origin, or undefined.
 * Names only: the header read and the part that reads it, never a value.
 */
function droppedAndRead(err: HashHelperError, dropped: readonly string[]): DroppedHeaderRead | undefined {
  for (const problem of err.problems) {
    if (problem.code !== "MISSING_HEADER") continue;
    // The message quotes the name as the template wrote it; header names are case-insensitive.
    const message = problem.message.toLowerCase();
    const name = dropped.find((n) => message.includes(quoteName(n).toLowerCase()));
    if (name === undefined) continue;
    const reader = problem.where === undefined ? "a template" : `the ${problem.where}`;
    return new DroppedHeaderRead(
      `a redirect to another origin drops header ${quoteName(name)} (credentials and headers built from a secret are not sent there), which ${reader} reads: not followed`,
    );
  }
  return undefined;
}

/**
 * The parts of a signed request whose blocks took a key or read a secret ("body", or a header's
 * name in lower case), from its trace: a key argument, or a value that gives a secret away.
 */
function builtFromSecrets(explanation: RequestExplanation<Pairs>): string[] {
  type Step = RequestExplanation<Pairs>["parts"][number]["blocks"][number]["steps"][number];
  const secretStep = (step: Step): boolean =>
    step.value.secret || step.args.some((a) => a.key || a.value?.secret === true || (a.steps ?? []).some(secretStep));
  const names: string[] = [];
  for (const part of explanation.parts) {
    if (!part.blocks.some((b) => b.output.secret || b.steps.some(secretStep))) continue;
    if (part.where === "body") names.push("body");
    else if (part.where.startsWith("header ")) names.push(part.where.slice("header ".length).toLowerCase());
  }
  return names;
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

/** A method name as --request takes it: a token that is not a file name or a URL. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z][!#$%&'*+\-.^_`|~0-9A-Za-z]*$/;

/**
 * The command line, read against the table of flags. Also: the last of --color and --no-color,
 * and, for lint, whether `--request` stood alone (not followed by a method): lint a request.
 */
function parse(argv: readonly string[]) {
  const args = [...argv];
  let lintRequest = false;
  if (args.includes("lint") && commandWord(args) === "lint") {
    for (let i = args.indexOf("--request"); i !== -1; i = args.indexOf("--request", i)) {
      const next = args[i + 1];
      if (next === undefined || !METHOD.test(next) || /\.(?:http|rest)$/i.test(next)) {
        args.splice(i, 1);
        lintRequest = true;
      } else {
        i += 2;
      }
    }
  }
  try {
    const { values, positionals, tokens } = parseArgs({
      args,
      strict: true,
      allowPositionals: true,
      tokens: true,
      options: parseArgsOptions(),
    });
    let colorChoice: boolean | undefined;
    for (const token of tokens) {
      if (token.kind === "option" && token.name === "color") colorChoice = true;
      if (token.kind === "option" && token.name === "no-color") colorChoice = false;
    }
    return {
      values: values as ParsedValues,
      positionals,
      colorChoice,
      lintRequest,
    };
  } catch (err) {
    // parseArgs's own messages run over several lines, and the unknown-option one is garbled.
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const option = /'([^']*)'/.exec(message)?.[1] ?? "?";
      throw new UsageError(`unknown option '${option}'${suggestFlag(option)}`);
    }
    if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_")) {
      throw new UsageError(message.replace(/\s*\n\s*/g, " "));
    }
    throw err;
  }
}

interface ParsedValues {
  now?: string;
  nonce?: string;
  "raw-path"?: boolean;
  secret?: string[];
  "secrets-file"?: string;
  explain?: boolean;
  request?: string;
  header?: string[];
  data?: string;
  name?: string;
  include?: boolean;
  location?: boolean;
  timeout?: string;
  "max-filesize"?: string;
  json?: boolean;
  "reveal-secrets"?: boolean;
  color?: boolean;
  "no-color"?: boolean;
  help?: boolean;
  version?: boolean;
}

/** The first word of the command line that is not a flag or a flag's value. */
function commandWord(args: readonly string[]): string | undefined {
  const takesValue = new Set<string>();
  for (const flag of FLAGS) {
    if (flag.type !== "string") continue;
    takesValue.add(`--${flag.name}`);
    if (flag.short) takesValue.add(`-${flag.short}`);
  }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === "--") return args[i + 1];
    if (takesValue.has(arg)) i++;
    else if (!arg.startsWith("-") || arg === "-") return arg;
  }
  return undefined;
}

/** `: did you mean --timeout?` for a mistyped flag, or nothing. */
function suggestFlag(option: string): string {
  const name = option.replace(/=.*$/, "");
  // A one-letter flag is one edit from every other: only its other case is a plausible typo.
  const close = name.startsWith("--")
    ? name.length <= 40
      ? suggest(
          name,
          FLAGS.map((f) => `--${f.name}`),
        )
      : undefined
    : FLAGS.flatMap((f) => (f.short ? [`-${f.short}`] : [])).find((c) => c.toLowerCase() === name.toLowerCase());
  return close ? `: did you mean ${close}?` : "";
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
      if (err instanceof DotenvError) throw new UsageError(`--secrets-file ${file}: ${err.message}`);
      throw err;
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
/** A .http file may hold many requests; each part of the one chosen is held to maxTemplateLength. */
const HTTP_FILE_BYTES = 4 * 1024 * 1024;

/** What a file that cannot be read is, in a few words: a message of one line, no stack. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "no such file (a part of the path is not a directory)",
  ELOOP: "too many symbolic links",
  ENAMETOOLONG: "the name is too long",
};

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
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`${what}: ${(code && FILE_ERRORS[code]) ?? code ?? "cannot be read"}`);
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
