import { closeSync, fchmodSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type { REPLServer } from "node:repl";
import { tokenMatcher } from "chevrotain";
// esbuild inlines the JSON into dist/cli.cjs, so the version needs no file lookup at run time.
import pkg from "../package.json" with { type: "json" };
import { type Explanation, explain, explainExpression } from "./explain.ts";
import { formatExplanation } from "./explain-format.ts";
import { evaluate, expand, HashHelperError, type ProblemReport, redact } from "./index.ts";
import { type Method, signature } from "./language/method.ts";
import { methods } from "./language/methods.ts";
import { tokenize } from "./lexer/lexer.ts";
import { UnterminatedString } from "./lexer/tokens.ts";
import { looksLikeExpression } from "./masks.ts";

export interface ReplOptions {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
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
  /** Where hash.getSecret() looks after the secrets set with `.secret` (the CLI's flags and environment). */
  secrets?: ((name: string) => string | undefined) | undefined;
  /** Start with `.explain on`. */
  explain?: boolean | undefined;
  /** Reads the argument of `.now` into epoch milliseconds: the CLI's --now parser, so both read the same. */
  parseNow: (text: string) => number;
}

export interface Repl {
  server: REPLServer;
  /** Settles when the REPL ends (`.exit`, Ctrl+D, or the end of its input). */
  closed: Promise<void>;
}

/** Parts of readline's Interface that @types/node does not declare. */
interface ReadlineInternals {
  history: string[];
  historySize: number;
  _writeToOutput(text: string): void;
}

const PROMPT = "hash> ";
const HISTORY_SIZE = 1000;

/**
 * A read-eval-print loop on node:repl: an expression (`hash.…`) gives its value, anything else
 * is expanded as a template. Tab completes method names from the method table, and a second
 * Tab shows their signature and summary. Input continues on the next line while a block,
 * a call or a string is left open; inside a string, the line break stands for `\n`.
 */
export async function startRepl(options: ReplOptions): Promise<Repl> {
  // Loaded here, not with the module: node:repl takes longer to load than the whole CLI
  // takes to expand a template.
  const { default: repl } = await import("node:repl");
  const env = options.env ?? {};
  const { input, output } = options;
  const terminal = options.terminal ?? output.isTTY === true;
  const color = options.color ?? (output.isTTY === true && !env.NO_COLOR);
  const session = {
    now: options.now,
    explain: options.explain ?? false,
    secrets: new Map<string, string>(),
  };
  /** A multi-line input is being gathered. */
  let pending = false;
  /** The key before the one being handled was a Tab: a second Tab shows summaries. */
  let lastKeyWasTab = false;
  /** The secret prompt in progress, cancelled by Ctrl+C. */
  let readingSecret: AbortController | undefined;

  const write = (text: string) => output.write(text);
  const secretOf = (name: string) => session.secrets.get(name) ?? options.secrets?.(name);

  const run = (source: string): { value: string; explanation?: Explanation } => {
    const evaluation = { now: session.now, secrets: secretOf };
    const bare = looksLikeExpression(source);
    if (session.explain) {
      const explanation = bare ? explainExpression(source, evaluation) : explain(source, evaluation);
      return { value: explanation.result, explanation };
    }
    return { value: bare ? evaluate(source, evaluation) : expand(source, evaluation) };
  };

  write(
    `hash-helper ${pkg.version}: type an expression (hash.append("a").toHex()) or a template with blocks.\n` +
      "Tab completes method names, .help lists them, .exit or Ctrl+D quits.\n",
  );
  const history = terminal ? historyFile(options.historyFile ?? env.HASH_HELPER_HISTORY) : undefined;
  const remember = (entry: string) => history?.add(entry);

  const server = repl.start({
    input,
    output,
    terminal,
    prompt: PROMPT,
    ignoreUndefined: true,
    preview: false,
    completer: (line: string, callback: (err: null, result: [string[], string]) => void) => {
      const result = complete(line);
      if (!lastKeyWasTab || !result.describe) {
        callback(null, [result.candidates, result.word]);
        return;
      }
      // The second Tab, and readline could not complete any further: say what the names are.
      write(`\r\n${describe(result.describe)}\r\n`);
      callback(null, [[], result.word]);
      server.prompt(true);
    },
    eval: (cmd, _context, _file, callback) => {
      // node:repl ends every input with a line feed and joins continued lines with one.
      const typed = cmd.endsWith("\n") ? cmd.slice(0, -1) : cmd;
      const gaveUp = pending && /\n[ \t]*$/.test(typed); // an empty line ends a continued input
      if (typed.trim() === "") {
        pending = false;
        callback(null, undefined);
        return;
      }
      const source = continueStrings(typed.replace(/\n[ \t]*$/, ""));
      let shown: string;
      try {
        const { value, explanation } = run(source);
        shown = `${explanation ? formatExplanation(explanation, { color }) : ""}${value}\n`;
      } catch (e) {
        if (!(e instanceof HashHelperError)) {
          pending = false;
          callback(e instanceof Error ? e : new Error(String(e)), undefined);
          return;
        }
        if (!gaveUp && isIncomplete(source, e.problems)) {
          pending = true;
          callback(new repl.Recoverable(e), undefined);
          return;
        }
        shown = `${e.format({ color })}\n`;
      }
      pending = false;
      remember(source);
      write(shown);
      callback(null, undefined);
    },
  });
  const readline = server as unknown as ReadlineInternals;
  readline.historySize = HISTORY_SIZE;

  if (history) {
    readline.history = history.load();
    history.onFailure = (message) => write(`\n${message}\n`);
  }
  if (terminal) {
    input.on("keypress", (_text: string, key: { name?: string } | undefined) => {
      lastKeyWasTab = key?.name === "tab";
    });
  }

  const complete = (line: string): Completion => {
    const command = /^\s*\.([\w-]*)$/.exec(line);
    if (command && !pending) {
      const word = `.${command[1] ?? ""}`;
      const names = Object.keys(server.commands)
        .map((name) => `.${name}`)
        .filter((name) => name.startsWith(word));
      return { candidates: names.sort(), word };
    }
    return completeMethod(line);
  };

  server.defineCommand("now", {
    help: "Freeze the clock: .now 1700000000 or .now 2024-01-02T03:04:05Z; .now alone unfreezes it",
    action(text) {
      const arg = text.trim();
      remember(`.now ${arg}`.trim());
      if (arg === "") {
        session.now = undefined;
        write("the clock follows the system time\n");
      } else {
        try {
          session.now = options.parseNow(arg);
          write(`the clock is frozen at ${describeClock(session.now)}\n`);
        } catch (e) {
          write(`${(e instanceof Error ? e.message : String(e)).replace(/--now/g, ".now")}\n`);
        }
      }
      this.displayPrompt();
    },
  });

  server.defineCommand("explain", {
    help: "Show every step of each chain before its value: .explain on, .explain off",
    action(text) {
      const arg = text.trim().toLowerCase();
      remember(`.explain ${arg}`.trim());
      if (arg === "on" || arg === "off") session.explain = arg === "on";
      else if (arg !== "") write("use .explain on or .explain off\n");
      write(`explain is ${session.explain ? "on" : "off"}\n`);
      this.displayPrompt();
    },
  });

  server.defineCommand("secret", {
    help: "Set a value for hash.getSecret(NAME), typed without echo: .secret NAME; .secret alone lists the names",
    action(text) {
      const name = text.trim();
      remember(`.secret ${name}`.trim());
      if (name === "") {
        const names = [...session.secrets.keys()];
        write(names.length === 0 ? "no secrets set in this session\n" : `secrets set: ${names.join(", ")}\n`);
        this.displayPrompt();
        return;
      }
      if (/\s/.test(name)) {
        write("a secret's name has no spaces: .secret NAME\n");
        this.displayPrompt();
        return;
      }
      // The answer must not be echoed, nor kept in the history.
      const size = readline.historySize;
      const echo = readline._writeToOutput;
      const abort = new AbortController();
      readingSecret = abort;
      const restore = () => {
        readline.historySize = size;
        readline._writeToOutput = echo;
        readingSecret = undefined;
      };
      abort.signal.addEventListener("abort", () => {
        restore();
        write(`\nsecret '${name}' not changed\n`);
      });
      readline.historySize = 0;
      this.question(`value of secret '${name}' (not shown): `, { signal: abort.signal }, (value) => {
        restore();
        if (terminal) write("\n");
        session.secrets.set(name, value);
        write(`secret '${name}' set (${value.length} char${value.length === 1 ? "" : "s"})\n`);
        this.displayPrompt();
      });
      readline._writeToOutput = () => {};
    },
  });

  server.defineCommand("clear", {
    help: "Start afresh: forget the secrets set with .secret, unfreeze the clock, explain off",
    action() {
      this.clearBufferedCommand();
      pending = false;
      session.secrets.clear();
      session.now = undefined;
      session.explain = false;
      write("secrets forgotten, the clock follows the system time, explain is off\n");
      this.displayPrompt();
    },
  });
  // .load pastes a file as one input and .save writes the session's lines: JavaScript habits
  // that do not fit here (a template file is expanded with `hash-helper expand < FILE`).
  const commands = server.commands as Record<string, unknown>;
  delete commands.load;
  delete commands.save;

  server.defineCommand("help", {
    help: "List the commands and the methods",
    action() {
      write(help(server));
      this.displayPrompt();
    },
  });

  // Ctrl+C and .break drop a half-typed input; Ctrl+C also cancels the secret prompt.
  server.prependListener("SIGINT", () => {
    pending = false;
    readingSecret?.abort();
  });
  server.defineCommand("break", {
    help: "Drop the input typed so far over several lines",
    action() {
      pending = false;
      this.clearBufferedCommand();
      this.displayPrompt();
    },
  });

  const closed = new Promise<void>((resolve) => server.on("exit", () => resolve()));
  return { server, closed };
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
  const bare = looksLikeExpression(line);
  const { tokens } = tokenize(line, bare ? "bare" : "text");
  const last = tokens[tokens.length - 1];
  return (
    last !== undefined && tokenMatcher(last, UnterminatedString) && last.startOffset + last.image.length === line.length
  );
}

/** Signature and summary of each method, one a line. */
function describe(found: readonly Method[]): string {
  const width = Math.max(...found.map((m) => signature(m).length));
  return found.map((m) => `${signature(m).padEnd(width)}  ${m.summary}`).join("\r\n");
}

function help(server: REPLServer): string {
  const commands = Object.entries(server.commands)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, command]) => `  .${name.padEnd(8)} ${command?.help ?? ""}`);
  const list = describe([...methods.values()])
    .split("\r\n")
    .map((line) => `  ${line}`);
  return [
    'An expression (hash.append("a").toHex()) gives its value; any other input is a template, and its',
    "{hash…;} and <hash…;> blocks are expanded. Input goes on over several lines while a block, a call or a",
    'string is open; a line break inside a string stands for "\\n", and an empty line gives up.',
    "",
    "Commands:",
    ...commands,
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
  const mode = looksLikeExpression(source) ? "bare" : "text";
  let text = source;
  for (;;) {
    const open = tokenize(text, mode).tokens.find((t) => {
      const end = t.startOffset + t.image.length;
      return tokenMatcher(t, UnterminatedString) && /^\r?\n/.test(text.slice(end, end + 2));
    });
    if (!open) return text;
    const end = open.startOffset + open.image.length;
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
