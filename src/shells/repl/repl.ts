import { closeSync, fchmodSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { Key } from "node:readline";
import { Writable } from "node:stream";
// esbuild inlines the JSON into dist/cli.cjs, so the version needs no file lookup at run time.
import pkg from "../../../package.json" with { type: "json" };
import {
  type Explanation,
  evaluate,
  expand,
  explainAndEvaluate,
  explainAndExpand,
  formatExplanation,
  HashHelperError,
  isExpression,
  type Method,
  methods,
  type ProblemReport,
  redact,
  signature,
  unterminatedStrings,
} from "../../index.ts";

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
  /** Show string literals in errors and secrets in `.explain` (the CLI's --reveal-secrets). The history stays masked. */
  revealSecrets?: boolean | undefined;
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
  /** Runs the command with the text after its name; the prompt comes back after it unless a secret is being read. */
  run(argument: string): void;
}

const PROMPT = "hash> ";
const CONTINUED = "... ";
const HISTORY_SIZE = 1000;
const END_OF_LINE: Key = { ctrl: true, name: "e" };
const DELETE_TO_START: Key = { ctrl: true, name: "u" };

/**
 * A read-eval-print loop on readline's public interface: an expression (`hash.…`) gives its
 * value, anything else is expanded as a template. Tab completes method names from the method
 * table, and a second Tab shows their signature and summary. Input continues on the next line
 * while a block, a call or a string is left open; inside a string, the line break stands for `\n`.
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
  const session = {
    now: options.now,
    explain: options.explain ?? false,
    secrets: new Map<string, string>(),
  };
  /** The lines of an input that goes on over several lines, so far. */
  let continued: string[] = [];
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

  const run = (source: string): { value: string; explanation?: Explanation } => {
    const evaluation = { now: session.now, secrets: secretOf, random: options.random, revealSecrets };
    const bare = isExpression(source);
    if (session.explain) {
      const { explanation, result } = bare
        ? explainAndEvaluate(source, evaluation)
        : explainAndExpand(source, evaluation);
      return { value: result, explanation };
    }
    return { value: bare ? evaluate(source, evaluation) : expand(source, evaluation) };
  };

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
      shown = `${e.format({ color })}\n`;
    }
    continued = [];
    remember(source);
    write(shown);
  };

  const complete = (line: string): Completion => {
    const command = /^\s*\.([\w-]*)$/.exec(line);
    if (command && continued.length === 0) {
      const word = `.${command[1] ?? ""}`;
      const names = [...commands.keys()].map((name) => `.${name}`).filter((name) => name.startsWith(word));
      return { candidates: names.sort(), word };
    }
    return completeMethod(line);
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
        help: "Start afresh: forget the secrets set with .secret, unfreeze the clock, explain off",
        run() {
          continued = [];
          session.secrets.clear();
          session.now = undefined;
          session.explain = false;
          write("secrets forgotten, the clock follows the system time, explain is off\n");
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
        help: "Show every step of each chain before its value: .explain on, .explain off",
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
      now: {
        help: "Freeze the clock: .now 1700000000 or .now 2024-01-02T03:04:05Z; .now alone unfreezes it",
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
      secret: {
        help: "Set a value for hash.getSecret(NAME), typed without echo: .secret NAME; .secret alone lists the names",
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
    else write("unknown command: .help lists the commands\n");
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

interface Completion {
  candidates: string[];
  /** The text the candidates would replace. */
  word: string;
  /** Methods to describe on a second Tab, when the candidates cannot complete further. */
  describe?: Method[];
}

/** Method names after `hash.` or `.`, and `hash.` itself at the start of an expression. */
function completeMethod(line: string): Completion {
  if (insideString(line)) return { candidates: [], word: "" };
  const afterDot = /\.\s*([A-Za-z_$][\w$]*)?$/.exec(line);
  if (afterDot) {
    const word = afterDot[1] ?? "";
    const found = [...methods.values()].filter((m) => m.name.startsWith(word));
    const candidates = found.map((m) => m.name);
    const prefix = commonPrefix(candidates);
    const stuck = candidates.length > 0 && prefix.length <= word.length;
    return stuck ? { candidates, word, describe: found } : { candidates, word };
  }
  const start = /(?:^|[^\w$.])([A-Za-z_$][\w$]*)$/.exec(line);
  const word = start?.[1] ?? "";
  return word && "hash".startsWith(word) ? { candidates: ["hash."], word } : { candidates: [], word };
}

function commonPrefix(words: readonly string[]): string {
  if (words.length === 0) return "";
  let prefix = words[0] as string;
  for (const w of words) while (!w.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** Whether the end of the line is inside a quoted string of an expression. */
function insideString(line: string): boolean {
  return unterminatedStrings(line).some((s) => s.offset + s.length === line.length);
}

/** Signature and summary of each method, one a line. */
function describe(found: readonly Method[]): string {
  const width = Math.max(...found.map((m) => signature(m).length));
  return found.map((m) => `${signature(m).padEnd(width)}  ${m.summary}`).join("\r\n");
}

function helpText(commands: ReadonlyMap<string, Command>): string {
  const lines = [...commands]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, command]) => `  .${name.padEnd(8)} ${command.help}`);
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

interface History {
  /** The entries saved by earlier sessions, newest first, as readline keeps them. */
  load(): string[];
  add(entry: string): void;
  onFailure: (message: string) => void;
}

/**
 * The history file: one entry an input, newest last. An input that went over several lines is
 * saved as one line, with the text of every literal masked but names (redact() with every
 * literal), so the file holds no key, not even one appended as data, and `getSecret("moz")`
 * still reads as it was typed; a recalled mask is refused as a key (MASKED_LITERAL). The
 * secrets typed after .secret never reach it at all. "" keeps no history.
 */
function historyFile(path: string | undefined): History | undefined {
  const file = path ?? join(homedir(), ".hash_helper_history");
  if (file === "") return undefined;
  let entries: string[] = [];
  let failed = false;
  const history: History = {
    load() {
      try {
        entries = readFileSync(file, "utf8").split(/\r?\n/).filter(Boolean).slice(-HISTORY_SIZE);
      } catch {
        entries = []; // none yet
      }
      return [...entries].reverse();
    },
    add(input) {
      const entry = safeRedact(input.replace(/\r?\n/g, " ")).trim();
      if (failed || entry === "" || entry === entries[entries.length - 1]) return;
      entries.push(entry);
      if (entries.length > HISTORY_SIZE) entries.shift();
      try {
        writePrivately(file, `${entries.join("\n")}\n`);
      } catch (e) {
        failed = true;
        history.onFailure(`history not saved: ${file}: ${(e as NodeJS.ErrnoException).code ?? "cannot be written"}`);
      }
    },
    onFailure: () => {},
  };
  return history;
}

/** Writes a file readable by its owner alone, whatever mode it had: open()'s mode only applies to a new file. */
function writePrivately(file: string, text: string): void {
  const fd = openSync(file, "w", 0o600);
  try {
    // Before the text goes in, so that it is never readable by others.
    fchmodSync(fd, 0o600);
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

function safeRedact(line: string): string {
  try {
    return redact(line, { literals: "all" });
  } catch {
    return ""; // an entry that cannot be masked is not kept
  }
}

function describeClock(ms: number): string {
  return `${new Date(ms).toISOString()} (epoch seconds ${Math.floor(ms / 1000)})`;
}
