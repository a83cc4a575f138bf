import type { Key } from "node:readline";
import { Writable } from "node:stream";
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
  lint,
  type Method,
  methods,
  type ProblemReport,
  redact,
  signature,
  signRequest,
  suggest,
  unterminatedStrings,
} from "../../index.ts";
import { checkHeaders, formatRequest, RequestUsageError } from "../cli/cli-request.ts";
import { type Completion, completeCommand, completeMethod, completePath, expandHome } from "./complete.ts";
import { FileProblem, isRequestFile, type LoadedRequest, readInput, reason, requestsOf, shownPath } from "./files.ts";
import { HISTORY_SIZE, historyFile, maskedInHistory, writePrivately } from "./history.ts";

type Output = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

export interface ReplOptions {
  input: NodeJS.ReadableStream;
  output: Output;
  /** Line editing, Tab completion and history. Default: whether `output` is a terminal. */
  terminal?: boolean | undefined;
  /** Read for NO_COLOR and HASH_HELPER_HISTORY. Default: none of them set. */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** The history file; "" keeps none. Default: $HASH_HELPER_HISTORY, else ~/.hash_helper_history. */
  historyFile?: string | undefined;
  /** Errors and tables in colour. Default: `output` is a terminal and NO_COLOR is not set. */
  color?: boolean | undefined;
  /** A frozen clock (epoch milliseconds) to start with, as `.now` sets it. */
  now?: number | undefined;
  /** Fills an array with random bytes for hash.getNonce()/getUuid() (the CLI's --nonce). Default: crypto. */
  random?: ((bytes: Uint8Array) => void) | undefined;
  /** Where hash.getSecret() looks after the secrets set with `.secret` (the CLI's flags and environment). */
  secrets?: ((name: string) => string | undefined) | undefined;
  /** Start with `.explain on`. */
  explain?: boolean | undefined;
  /**
   * Show string literals in errors and secrets in `.explain`, and let `.save` write literal keys
   * (the CLI's --reveal-secrets). The history stays masked; a secret typed after .secret is never written.
   */
  revealSecrets?: boolean | undefined;
  /** Start with lint's warnings shown under each result (`.lint on`). Default: true. */
  lint?: boolean | undefined;
  /** Reads the argument of `.now` into epoch milliseconds: the CLI's --now parser, so both read the same. */
  parseNow: (text: string) => number;
}

export interface Repl {
  /** Ends the REPL, as `.exit` does. */
  close(): void;
  /** Settles when the REPL ends (`.exit`, Ctrl+D, Ctrl+C twice, or the end of its input). */
  closed: Promise<void>;
}

interface Command {
  help: string;
  /** What it takes after its name, for .help and completion ("on|off", "FILE"); none when it takes nothing. */
  argument?: string;
  /** Runs the command with the text after its name; the prompt comes back after it unless a secret is being read. */
  run(argument: string): void;
}

/** What `.save` writes: the last input, a template or an expression as run, or a request file as loaded. */
interface LastInput {
  text: string;
  /** The requests of the request file the text is, for lint to point at keys in them. */
  requests?: readonly LoadedRequest[] | undefined;
}

const PROMPT = "hash> ";
const CONTINUED = "... ";
const END_OF_LINE: Key = { ctrl: true, name: "e" };
const DELETE_TO_START: Key = { ctrl: true, name: "u" };
/** The commands whose argument is a file's name, which Tab completes. */
const FILE_COMMANDS = ["load", "save"];

/**
 * A read-eval-print loop on readline's public interface: an expression (`hash.…`) gives its
 * value, anything else is expanded as a template, and lint's warnings follow the value. Tab
 * completes method names from the method table (with the `(` that follows them), and a second
 * Tab shows their signature and summary. Input continues on the next line while a block, a call
 * or a string is left open; inside a string, the line break stands for `\n`.
 * node:repl is not used: the history it loads, the echo it writes and the JavaScript commands it
 * brings could only be changed through its internals, which Node 24 made read-only.
 */
export async function startRepl(options: ReplOptions): Promise<Repl> {
  // Loaded here, not with the module: only the REPL needs it, and the CLI starts for every expansion.
  const { createInterface } = process.getBuiltinModule("node:readline");
  const env = options.env ?? {};
  const { input, output } = options;
  const terminal = options.terminal ?? output.isTTY === true;
  const color = options.color ?? (output.isTTY === true && !env.NO_COLOR);
  const revealSecrets = options.revealSecrets === true;
  const lintAtStart = options.lint ?? true;
  const session = {
    now: options.now,
    explain: options.explain ?? false,
    lint: lintAtStart,
    secrets: new Map<string, string>(),
  };
  /** The lines of an input that goes on over several lines, so far. */
  let continued: string[] = [];
  /** What `.save` writes. */
  let last: LastInput | undefined;
  /** The key before the one being handled was a Tab: a second Tab shows summaries. */
  let lastKeyWasTab = false;
  /** The last key was a Ctrl+C on an empty prompt: a second one ends the REPL. */
  let sawInterrupt = false;
  /** The REPL ends by `.exit` or Ctrl+C, on a fresh line already. */
  let exiting = false;
  /** The secret prompt in progress, cancelled by Ctrl+C. */
  let readingSecret: { name: string; abort: AbortController } | undefined;

  const write = (text: string) => output.write(text);
  const secretOf = (name: string) => session.secrets.get(name) ?? options.secrets?.(name);
  const evaluation = () => ({ now: session.now, secrets: secretOf, random: options.random, revealSecrets });

  const run = (source: string): { value: string; explanation?: Explanation } => {
    const bare = isExpression(source);
    if (session.explain) {
      const { explanation, result } = bare
        ? explainAndEvaluate(source, evaluation())
        : explainAndExpand(source, evaluation());
      return { value: result, explanation };
    }
    return { value: bare ? evaluate(source, evaluation()) : expand(source, evaluation()) };
  };

  /** lint's warnings and notes, drawn under a result; its errors are the result's own, shown already. */
  const warnings = (found: () => readonly Diagnostic[]): string => {
    if (!session.lint) return "";
    let diagnostics: Diagnostic[];
    try {
      diagnostics = found().filter((d) => d.severity !== "error");
    } catch {
      // Not its message: a fault of lint's own may hold text of the template.
      return "lint could not check this input (an internal error)\n";
    }
    return diagnostics.length === 0 ? "" : `${formatDiagnostics(diagnostics, { color })}\n`;
  };

  /**
   * The error of an input as the REPL shows it. A mask in what was typed is one recalled from the
   * history (or copied from an error), and named so; a file's is the checker's to name.
   */
  const failure = (e: HashHelperError, typed?: string) =>
    `${(typed === undefined ? e : maskedInHistory(typed, e)).format({ color })}\n`;

  write(
    `hash-helper ${pkg.version}: type an expression (hash.append("a").toHex()) or a template with blocks.\n` +
      "Tab completes method names, .help lists them, .exit or Ctrl+D quits.\n",
  );
  const history = terminal ? historyFile(options.historyFile ?? env.HASH_HELPER_HISTORY) : undefined;
  const remember = (entry: string) => history?.add(entry);
  if (history) history.onFailure = (message) => write(`\n${message}\n`);

  const echo = new Echo(output);
  const rl = createInterface({
    input,
    output: echo,
    terminal,
    prompt: PROMPT,
    historySize: HISTORY_SIZE,
    history: history?.load() ?? [],
    completer: (line: string, callback: (err: null, result: [string[], string]) => void) => {
      const result = readingSecret ? { candidates: [], word: "" } : complete(line);
      if (!lastKeyWasTab || !result.describe) {
        callback(null, [result.candidates, result.word]);
        return;
      }
      // The second Tab, and readline could not complete any further: say what the names are.
      write(`\r\n${describe(result.describe)}\r\n`);
      callback(null, [[], result.word]);
      rl.prompt(true);
    },
  });

  const prompt = () => {
    rl.setPrompt(continued.length > 0 ? CONTINUED : PROMPT);
    rl.prompt();
  };

  const evaluateInput = (line: string) => {
    const gaveUp = continued.length > 0 && line.trim() === ""; // an empty line ends a continued input
    if (continued.length === 0 && line.trim() === "") return;
    const source = continueStrings([...continued, line].join("\n").replace(/\n[ \t]*$/, ""));
    let shown: string;
    try {
      const { value, explanation } = run(source);
      shown = `${explanation ? formatExplanation(explanation, { color }) : ""}${value}\n`;
      shown += warnings(() => lint(source, { secrets: secretOf, expression: isExpression(source) }));
    } catch (e) {
      if (!(e instanceof HashHelperError)) {
        continued = [];
        write(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
        return;
      }
      if (!gaveUp && isIncomplete(source, e.problems)) {
        continued.push(line);
        return;
      }
      shown = failure(e, source);
    }
    continued = [];
    last = { text: source };
    remember(source);
    write(shown);
  };

  const complete = (line: string): Completion => {
    if (continued.length === 0) {
      const found = completeCommand(line, commands) ?? completePath(line, FILE_COMMANDS);
      if (found) return found;
    }
    // What follows the cursor: a `(` there already is not added again.
    return completeMethod(line, rl.line.slice(rl.cursor));
  };

  const readSecret = (name: string) => {
    const abort = new AbortController();
    readingSecret = { name, abort };
    write(`value of secret '${name}' (not shown): `);
    // readline echoes what is typed, and redraws the line on every key: nothing of it may show.
    echo.muted = true;
    rl.question("", { signal: abort.signal }, (value) => {
      readingSecret = undefined;
      echo.muted = false;
      if (terminal) write("\n");
      session.secrets.set(name, value);
      write(`secret '${name}' set (${value.length} char${value.length === 1 ? "" : "s"})\n`);
      prompt();
    });
  };

  /** A request file's requests, each signed as `hash-helper sign` signs it and shown as it would be sent. */
  const signLoaded = (requests: readonly LoadedRequest[]) => {
    for (const request of requests) {
      const title = request.name === undefined ? `line ${request.line}` : request.name;
      if (requests.length > 1) write(`### ${shownPath(title)}\n`);
      if (request.refused !== undefined) {
        write(`${request.refused}\n`);
        continue;
      }
      // The URL as fetch() will send it, so that the request functions sign what goes on the wire.
      const signOptions = { ...evaluation(), normalizeUrl: true };
      try {
        let signed: ReturnType<typeof signRequest<(readonly [string, string])[]>>;
        if (session.explain) {
          const explained = explainAndSignRequest(request.template, signOptions);
          write(formatRequestExplanation(explained.explanation, { color }));
          signed = explained.signed;
        } else {
          signed = signRequest(request.template, signOptions);
        }
        checkHeaders(signed);
        write(`${formatRequest(signed).replace(/\n*$/, "")}\n`);
        // Lines and columns of the file, as hash-helper lint file.http says them.
        write(warnings(() => lint(request.template, { secrets: secretOf }).map(request.place)));
      } catch (e) {
        if (e instanceof HashHelperError) write(failure(new HashHelperError(e.problems.map(request.place), e.omitted)));
        // Their messages name parts and headers, never a value.
        else if (e instanceof InvalidUrlError || e instanceof RequestUsageError) write(`${e.message}\n`);
        else throw e;
      }
    }
  };

  // By name in a Map: a command typed as `.constructor` must find nothing.
  const commands = new Map<string, Command>(
    Object.entries({
      break: {
        help: "Drop the input typed so far over several lines",
        run() {
          continued = [];
        },
      },
      clear: {
        help: "Start afresh: forget the secrets set with .secret, unfreeze the clock, explain off, lint as at start",
        run() {
          continued = [];
          session.secrets.clear();
          session.now = undefined;
          session.explain = false;
          session.lint = lintAtStart;
          write(
            `secrets forgotten, the clock follows the system time, explain is off, lint is ${session.lint ? "on" : "off"}\n`,
          );
        },
      },
      exit: {
        help: "Exit the REPL",
        run() {
          exiting = true;
          rl.close();
        },
      },
      explain: {
        help: "Show every step of each chain before its value",
        argument: "on|off",
        run(text) {
          const arg = text.trim().toLowerCase();
          remember(`.explain ${arg}`.trim());
          if (arg === "on" || arg === "off") session.explain = arg === "on";
          else if (arg !== "") write("use .explain on or .explain off\n");
          write(`explain is ${session.explain ? "on" : "off"}\n`);
        },
      },
      help: {
        help: "List the commands and the methods",
        run() {
          write(helpText(commands));
        },
      },
      lint: {
        help: "Show lint's warnings (what makes a signature wrong though it runs) under each result",
        argument: "on|off",
        run(text) {
          const arg = text.trim().toLowerCase();
          remember(`.lint ${arg}`.trim());
          if (arg === "on" || arg === "off") session.lint = arg === "on";
          else if (arg !== "") write("use .lint on or .lint off\n");
          write(`lint is ${session.lint ? "on" : "off"}\n`);
        },
      },
      load: {
        help: "Run a template file, or sign the requests of a .http file as hash-helper sign does",
        argument: "FILE",
        run(text) {
          const path = unquote(text.trim());
          if (path === "") {
            write("use .load FILE: a template, or requests in a .http file\n");
            return;
          }
          remember(`.load ${path}`);
          let content: string;
          let requests: LoadedRequest[] | undefined;
          try {
            content = readInput(path);
            if (isRequestFile(path)) requests = requestsOf(path, content);
          } catch (e) {
            if (e instanceof FileProblem) write(`.load: ${e.message}\n`);
            else throw e;
            return;
          }
          last = { text: content, requests };
          if (requests) {
            signLoaded(requests);
            return;
          }
          if (content.trim() === "") {
            write(`.load: ${shownPath(path)} is empty\n`);
            return;
          }
          try {
            const { value, explanation } = run(content);
            write(`${explanation ? formatExplanation(explanation, { color }) : ""}${value}\n`);
            write(warnings(() => lint(content, { secrets: secretOf, expression: isExpression(content) })));
          } catch (e) {
            if (!(e instanceof HashHelperError)) throw e;
            write(failure(e));
          }
        },
      },
      now: {
        help: "Freeze the clock: .now 1700000000 or .now 2024-01-02T03:04:05Z; .now alone unfreezes it",
        argument: "TIME",
        run(text) {
          const arg = text.trim();
          remember(`.now ${arg}`.trim());
          if (arg === "") {
            session.now = undefined;
            write("the clock follows the system time\n");
            return;
          }
          try {
            session.now = options.parseNow(arg);
            write(`the clock is frozen at ${describeClock(session.now)}\n`);
          } catch (e) {
            write(`${(e instanceof Error ? e.message : String(e)).replace(/--now/g, ".now")}\n`);
          }
        },
      },
      save: {
        help: "Write the last input, or the .http file last loaded, to FILE with its keys masked",
        argument: "FILE",
        run(text) {
          const path = unquote(text.trim());
          if (path === "") {
            write("use .save FILE\n");
            return;
          }
          remember(`.save ${path}`);
          if (!last) {
            write("nothing to save yet: type a template or an expression, or .load a file\n");
            return;
          }
          const saved = revealSecrets ? last.text : maskKeys(last);
          if (saved === undefined) {
            write(".save: the last input could not be masked, so it was not saved\n");
            return;
          }
          // Masking the file the keys were loaded from would lose them: it is left as it is.
          if (saved !== last.text && holds(path, last.text)) {
            write(
              `.save: ${shownPath(path)} holds the keys that saving would mask: save to another file, or read the keys with hash.getSecret("NAME")\n`,
            );
            return;
          }
          try {
            writePrivately(expandHome(path), `${saved}\n`);
          } catch (e) {
            write(`.save: cannot write ${shownPath(path)}: ${reason(e)}\n`);
            return;
          }
          const what = last.requests ? "the requests last loaded" : "the last input";
          const masked = saved !== last.text;
          write(
            masked
              ? `saved ${what} to ${shownPath(path)}, keys masked (hash-helper repl --reveal-secrets saves them as typed)\n`
              : `saved ${what} to ${shownPath(path)}\n`,
          );
        },
      },
      secret: {
        help: "Set a value for hash.getSecret(NAME), typed without echo; .secret alone lists the names",
        argument: "NAME",
        run(text) {
          const name = text.trim();
          remember(`.secret ${name}`.trim());
          if (name === "") {
            const names = [...session.secrets.keys()];
            write(names.length === 0 ? "no secrets set in this session\n" : `secrets set: ${names.join(", ")}\n`);
          } else if (/\s/.test(name)) {
            write("a secret's name has no spaces: .secret NAME\n");
          } else {
            readSecret(name);
          }
        },
      },
    } satisfies Record<string, Command>),
  );

  /** Runs a line that names a command, as node:repl reads them; false for any other line. */
  const runCommand = (line: string): boolean => {
    const trimmed = line.trim();
    // `.5` is a number and `..` no command, as in node:repl.
    if (!trimmed.startsWith(".") || trimmed[1] === "." || !Number.isNaN(Number.parseFloat(trimmed))) return false;
    const [, name = "", argument = ""] = /^\.(\S+)\s*(.*)$/.exec(trimmed) ?? [];
    const command = commands.get(name);
    if (command) command.run(argument);
    // A line of a continued input may start with a call: `.toHex()`.
    else if (continued.length > 0) return false;
    else {
      // Only a command's name is shown back, never what was typed: it may be a key.
      const near = /^[\w-]+$/.test(name) ? suggest(name, commands.keys()) : undefined;
      write(`unknown command${near ? `: did you mean .${near}?` : ""} (.help lists the commands)\n`);
    }
    return true;
  };

  rl.on("line", (line) => {
    sawInterrupt = false;
    if (!runCommand(line)) evaluateInput(line);
    if (!readingSecret && !exiting) prompt();
  });

  // The answer to the secret prompt must not stay in the history, which Up would recall: readline
  // lets a 'history' listener take out the entry it has just added.
  rl.on("history", (entries) => {
    if (readingSecret) entries.shift();
  });

  // Ctrl+C drops the line and any input typed over several lines, and cancels the secret prompt;
  // on an empty prompt, a second Ctrl+C ends the REPL.
  rl.on("SIGINT", () => {
    if (readingSecret) {
      const { name, abort } = readingSecret;
      readingSecret = undefined;
      abort.abort(); // readline empties the line it read, while it still writes nowhere
      echo.muted = false;
      write(`\nsecret '${name}' not changed\n`);
      prompt();
      return;
    }
    const empty = rl.line === "" && continued.length === 0;
    // What was typed stays on the screen, as a shell leaves it, and readline forgets it: the
    // keys a person would press, with the emptied line it redraws kept off the screen.
    rl.write(null, END_OF_LINE);
    write("\n");
    echo.muted = true;
    rl.write(null, DELETE_TO_START);
    echo.muted = false;
    continued = [];
    if (empty && sawInterrupt) {
      exiting = true;
      rl.close();
      return;
    }
    if (empty) write("(To exit, press Ctrl+C again or Ctrl+D or type .exit)\n");
    sawInterrupt = empty;
    prompt();
  });

  const onKeypress = (_text: string, key: { name?: string } | undefined) => {
    lastKeyWasTab = key?.name === "tab";
  };
  if (terminal) input.on("keypress", onKeypress);

  const closed = new Promise<void>((resolve) =>
    rl.on("close", () => {
      readingSecret = undefined;
      echo.muted = false;
      echo.detach();
      input.off("keypress", onKeypress);
      // Ctrl+D leaves the cursor after the prompt; the shell's prompt goes on the next line.
      if (terminal && !exiting) write("\n");
      resolve();
    }),
  );
  prompt();
  return { close: () => rl.close(), closed };
}

/**
 * What readline writes to: the output, except while it is muted. readline echoes every key it
 * reads; giving it an output of our own is the public way to keep a secret off the screen.
 */
class Echo extends Writable {
  muted = false;
  readonly #output: Output;
  readonly #resized = () => this.emit("resize");

  constructor(output: Output) {
    super();
    this.#output = output;
    // readline redraws a line that wraps when the terminal changes width.
    output.on("resize", this.#resized);
  }

  /** readline wraps long lines at the terminal's width. */
  get columns(): number | undefined {
    return this.#output.columns;
  }

  detach(): void {
    this.#output.off("resize", this.#resized);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (!this.muted) this.#output.write(chunk);
    done();
  }
}

/** Signature and summary of each method, one a line. */
function describe(found: readonly Method[]): string {
  const width = Math.max(...found.map((m) => signature(m).length));
  return found.map((m) => `${signature(m).padEnd(width)}  ${m.summary}`).join("\r\n");
}

function helpText(commands: ReadonlyMap<string, Command>): string {
  const lines = [...commands]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, command]) => `  ${`.${name} ${command.argument ?? ""}`.padEnd(16)} ${command.help}`);
  const list = describe([...methods.values()])
    .split("\r\n")
    .map((line) => `  ${line}`);
  return [
    'An expression (hash.append("a").toHex()) gives its value; any other input is a template, and its',
    "{hash…;} and <hash…;> blocks are expanded. Input goes on over several lines while a block, a call or a",
    'string is open; a line break inside a string stands for "\\n", and an empty line gives up.',
    "",
    "Commands:",
    ...lines,
    "",
    "Methods (Tab completes them, a second Tab describes them):",
    ...list,
    "",
  ].join("\n");
}

/**
 * The input with every line break that falls inside a string replaced by the escape `\n`:
 * the language ends a string at a raw line break, and the REPL lets a string go on instead.
 */
function continueStrings(source: string): string {
  if (!source.includes("\n")) return source;
  let text = source;
  for (;;) {
    const open = unterminatedStrings(text).find((s) =>
      /^\r?\n/.test(text.slice(s.offset + s.length, s.offset + s.length + 2)),
    );
    if (!open) return text;
    const end = open.offset + open.length;
    text = `${text.slice(0, end)}\\n${text.slice(end).replace(/^\r?\n/, "")}`;
  }
}

/** The problems all say the input stops short: an open block, call or string at its end. */
function isIncomplete(source: string, problems: readonly ProblemReport[]): boolean {
  const end = source.trimEnd().length;
  return problems.every((p) => {
    const { code, span } = p;
    if (code === "UNTERMINATED_STRING") return !/[\r\n]/.test(source.slice(span.offset));
    // "never closed" points at the opener; "not closed after its ';'" just past the ';'.
    const opener = source[span.offset] === "{" || source[span.offset] === "<";
    if (code === "UNCLOSED_BLOCK" && opener && source[span.offset - 1] !== ";") return true;
    return (code === "SYNTAX_ERROR" || code === "MISSING_SEMICOLON" || code === "UNCLOSED_BLOCK") && span.offset >= end;
  });
}

/**
 * The text `.save` writes: what may be a key masked (redact()'s "keys", which keeps data and
 * names as typed, so that the file still reads and runs), and also every literal that lint
 * points at with hash.getSecret() as the way out, such as a private key appended as data.
 */
function maskKeys(last: LastInput): string | undefined {
  const { text } = last;
  const limits = { maxTemplateLength: Math.max(text.length, defaultLimits.maxTemplateLength) };
  let masked: string;
  try {
    masked = redact(text, { literals: "keys", limits });
  } catch {
    return undefined;
  }
  const literals = new Set<string>();
  try {
    const linted = last.requests
      ? last.requests.flatMap((r) => lint(r.template).map((d) => ({ d, source: partText(r.template, d.where) })))
      : lint(text, { expression: isExpression(text) }).map((d) => ({ d, source: text }));
    for (const { d, source } of linted) {
      if (source === undefined || !`${d.hint ?? ""} ${d.fix?.text ?? ""}`.includes("getSecret(")) continue;
      const span = d.fix?.span ?? d.span;
      const literal = /^(["'])(?:[^\\]|\\.)*?\1/.exec(source.slice(span.offset, span.offset + span.length));
      if (literal && literal[0].length > 2) literals.add(literal[0]);
    }
  } catch {
    return masked; // lint's own fault: what redact() masked stays masked
  }
  // By its text, wherever it stands: a request file holds the parts lint saw, in other places.
  for (const literal of literals) {
    const bullets = `${literal[0]}${"\u2022".repeat(literal.length - 2)}${literal[0]}`;
    for (let at = text.indexOf(literal); at !== -1; at = text.indexOf(literal, at + literal.length)) {
      masked = `${masked.slice(0, at)}${bullets}${masked.slice(at + literal.length)}`;
    }
  }
  return masked;
}

/** The text of the part of a request that a diagnostic's `where` names ("URL", "body", "header X-Sig"). */
function partText(request: LoadedRequest["template"], where: string | undefined): string | undefined {
  if (where === "URL") return request.url;
  if (where === "body") return request.body;
  const header = where?.startsWith("header ") ? where.slice("header ".length) : undefined;
  return request.headers?.find(([name]) => name === header)?.[1];
}

/** A file's name as typed, or in the quotes a shell would have taken off. */
function unquote(path: string): string {
  return /^(["']).+\1$/.test(path) ? path.slice(1, -1) : path;
}

/** Whether the file holds this text already (as `.load` reads it). */
function holds(path: string, text: string): boolean {
  try {
    return readInput(path) === text;
  } catch {
    return false;
  }
}

function describeClock(ms: number): string {
  return `${new Date(ms).toISOString()} (epoch seconds ${Math.floor(ms / 1000)})`;
}
