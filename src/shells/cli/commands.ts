// The CLI's commands and flags, as one table: it drives the parsing (node:util parseArgs), the
// help of each command, "did you mean" and the shell completion scripts. Plain constants: the
// structures built from them (parseArgs's options, the help text) are built by the functions
// that need them, when they are called, not when the CLI starts.

export type CommandName = "expand" | "eval" | "sign" | "fetch" | "lint" | "repl" | "completion" | "help";

export interface Command {
  name: CommandName;
  /** The usage lines, without "Usage: ". */
  usage: readonly string[];
  /** One line for the list of commands. */
  summary: string;
  /** More about it, for its own help. */
  about?: readonly string[];
  examples: readonly string[];
}

export interface Flag {
  /** The long name, without "--". */
  name: string;
  short?: string;
  type: "string" | "boolean";
  multiple?: boolean;
  /** What the value is called in the help: METHOD, FILE… */
  value?: string;
  /** The help, one line each (wrapped to fit 100 columns beside the flag). */
  help: readonly string[];
  /** The commands that take it; "all" for every one. */
  commands: readonly CommandName[] | "all";
}

const TEMPLATE_COMMANDS: readonly CommandName[] = ["expand", "eval", "sign", "fetch", "lint", "repl"];
const EXPANDING: readonly CommandName[] = ["expand", "eval", "sign", "fetch", "repl"];
const REQUEST: readonly CommandName[] = ["sign", "fetch", "lint"];

export const COMMANDS: readonly Command[] = [
  {
    name: "expand",
    usage: ["hash-helper expand [options] [TEMPLATE | @FILE | -]"],
    summary: "print TEMPLATE with every block replaced by its value",
    about: [
      "@FILE reads the template from a file, - (or no argument with piped input) from standard",
      "input, less one trailing newline. Either must hold a template: empty is a usage error.",
    ],
    examples: [
      "hash-helper expand --now 2024-01-02T03:04:05Z 'https://x.test/?ts={hash.getExpiryTime(240);}'",
      "hash-helper expand --secret moz=KEY @moz-url.txt",
    ],
  },
  {
    name: "eval",
    usage: ["hash-helper eval [options] [EXPRESSION | @FILE | -]"],
    summary: "print the value of one EXPRESSION, such as hash.getExpiryTime(240)",
    examples: ["hash-helper eval --now 1700000000 'hash.getExpiryTime(240)'"],
  },
  {
    name: "sign",
    usage: [
      "hash-helper sign [options] [-X METHOD] [-H 'Name: value']… [--data TEXT | --data @FILE] URL",
      "hash-helper sign [options] [--name NAME] FILE.http | -",
    ],
    summary: "expand a whole request and print it: request line, headers, blank line, body",
    about: [
      "The URL is expanded first, then the body, then the headers, which may read each other and the",
      "request with hash.getRequestQuery() and the like. FILE.http (or .rest; - for standard input) is",
      "a request in the format of the JetBrains HTTP Client and VS Code's REST Client, as the recipes",
      "write them: request line, headers, a blank line, the body; ### between requests. With several,",
      "--name picks one (# @name NAME, or the text after ###). Their {{variables}} are refused.",
    ],
    examples: [
      "hash-helper sign --secret unleashed=KEY -H 'api-auth-signature: {hash.getRequestQuery().encodeHmacSha256(hash.getSecret(\"unleashed\")).encodeBase64().printDigest();}' 'https://api.unleashedsoftware.com/Customers?customerCode=ACME'",
      "hash-helper sign --secrets-file api.env request.http",
    ],
  },
  {
    name: "fetch",
    usage: [
      "hash-helper fetch [options] [-i] [-L] [-X METHOD] [-H 'Name: value']… [--data …] URL",
      "hash-helper fetch [options] [-i] [-L] [--name NAME] FILE.http | -",
    ],
    summary: "sign the request, send it, and print the status and the response body",
    about: [
      "Takes the request as sign does. Sends a User-Agent of hash-helper/VERSION unless the request",
      "has one (after signing: the template does not see it).",
    ],
    examples: ["hash-helper fetch -L --timeout 10 --secrets-file api.env request.http"],
  },
  {
    name: "lint",
    usage: [
      "hash-helper lint [options] [TEMPLATE | @FILE | -]",
      "hash-helper lint [options] --request [-X METHOD] [-H 'Name: value']… [--data …] URL",
      "hash-helper lint [options] [--name NAME] FILE.http",
    ],
    summary: "find what makes a signature wrong before it is sent (the errors too, in one run)",
    about: [
      "A request is linted when --request (alone or as -X METHOD), -H or --data is given, or the",
      "argument is a .http file (--request - reads one from standard input). Exit status 0 when",
      "nothing but notes is found, 1 with warnings or errors. Every request of a .http file is",
      "linted, unless --name picks one. Keys and secrets are never shown; --secret and the like",
      "are read so that their shapes can be checked.",
    ],
    examples: [
      "hash-helper lint 'https://gateway.marvel.com/v1/public/characters?ts={hash.getExpiryTime(300);}&hash={hash.append(hash.getExpiryTime(240)).encodeMd5().toHex().printDigest();}'",
      "hash-helper lint --json request.http",
    ],
  },
  {
    name: "repl",
    usage: ["hash-helper [repl] [options]"],
    summary: "type expressions and templates and see their values, with Tab completion",
    about: ["Also what hash-helper with no arguments on a terminal starts."],
    examples: ["hash-helper repl --now 1700000000 --secrets-file api.env"],
  },
  {
    name: "completion",
    usage: ["hash-helper completion bash|zsh|fish"],
    summary: "print a shell script that completes commands, flags and method names",
    examples: [
      'eval "$(hash-helper completion bash)"      # in ~/.bashrc',
      'eval "$(hash-helper completion zsh)"       # in ~/.zshrc',
      "hash-helper completion fish > ~/.config/fish/completions/hash-helper.fish",
    ],
  },
  {
    name: "help",
    usage: ["hash-helper help [COMMAND]"],
    summary: "print this help, or a command's",
    examples: ["hash-helper help sign"],
  },
];

export const FLAGS: readonly Flag[] = [
  {
    name: "now",
    type: "string",
    value: "T",
    help: [
      "the clock: epoch seconds (1700000000, or 1700000000.594 with milliseconds;",
      "--now=-60 when negative) or an ISO-8601 instant with a time zone",
      "(2024-01-02T03:04:05Z, 2024-01-02T03:04:05.594Z) or a date (2024-01-02);",
      "digits finer than a millisecond are dropped. Default: the current time",
    ],
    commands: EXPANDING,
  },
  {
    name: "nonce",
    type: "string",
    value: "HEX",
    help: [
      "the random bytes of the expansion, in hex (at most 1024 bytes):",
      "hash.getNonce(n) gives the first n of them, hash.getUuid() the first 16 with",
      "the version 4 and variant bits set. Default: new random bytes each time",
    ],
    commands: EXPANDING,
  },
  {
    name: "secret",
    type: "string",
    multiple: true,
    value: "NAME=VALUE",
    help: [
      'a value for hash.getSecret("NAME"); may be repeated. Visible to other users',
      "of this machine in the process list: prefer the file or the environment",
    ],
    commands: TEMPLATE_COMMANDS,
  },
  {
    name: "secrets-file",
    type: "string",
    value: "FILE",
    help: [
      "secrets in dotenv format, read as Node's util.parseEnv reads them (NAME=value",
      "lines, # comments, quotes, multi-line double-quoted values). Otherwise",
      'hash.getSecret("NAME") reads the environment variable HASH_HELPER_SECRET_NAME',
      "(upper case; other characters than A-Z 0-9 become _)",
    ],
    commands: TEMPLATE_COMMANDS,
  },
  {
    name: "explain",
    type: "boolean",
    help: [
      "also print every step of each chain, with the value after it, on stderr",
      "(keys and values built from secrets are masked), then what lint finds;",
      "in the REPL: .explain on",
    ],
    commands: EXPANDING,
  },
  {
    name: "json",
    type: "boolean",
    help: [
      "print the result and the steps as one JSON document on stdout instead; for",
      "fetch, the signed request and the steps as sign --json prints them, and the",
      '"response": status, statusText, headers (with -i) and body, or null when',
      'there was no answer; for lint, {"diagnostics": […]}. What secrets built is masked',
    ],
    commands: ["expand", "eval", "sign", "fetch", "lint"],
  },
  {
    name: "reveal-secrets",
    type: "boolean",
    help: ["show keys and secrets in the steps, and string literals in error messages,", "instead of masking them"],
    commands: EXPANDING,
  },
  {
    name: "request",
    short: "X",
    type: "string",
    value: "METHOD",
    help: ["the request's method (default GET, or POST with --data); lint --request alone: lint a request"],
    commands: REQUEST,
  },
  {
    name: "header",
    short: "H",
    type: "string",
    multiple: true,
    value: "'Name: value'",
    help: ["a request header; its value may hold blocks. May be repeated"],
    commands: REQUEST,
  },
  {
    name: "data",
    type: "string",
    value: "TEXT|@FILE",
    help: ["the request body, itself a template; @FILE reads it from a file"],
    commands: REQUEST,
  },
  {
    name: "name",
    type: "string",
    value: "NAME",
    help: ["which request of a .http file: its # @name, or the text after its ###", "(lint: all of them without it)"],
    commands: REQUEST,
  },
  {
    name: "include",
    short: "i",
    type: "boolean",
    help: ["print the response headers too"],
    commands: ["fetch"],
  },
  {
    name: "location",
    short: "L",
    type: "boolean",
    help: [
      "follow redirects (301, 302, 303, 307, 308; at most 20), signing again for each",
      "new URL. 303, and 301 and 302 after a POST, become a GET without body, as in",
      "fetch() and browsers. Authorization, Cookie, Proxy-Authorization and headers",
      "built from a secret or a key are not sent to another origin (scheme, host, port);",
      "a redirect after which a template would read one of them is not followed: exit 4",
    ],
    commands: ["fetch"],
  },
  {
    name: "timeout",
    type: "string",
    value: "SECONDS",
    help: ["give up when the whole exchange, redirects included, takes longer: exit 4.", "Default 30; 0 for none"],
    commands: ["fetch"],
  },
  {
    name: "max-filesize",
    type: "string",
    value: "BYTES",
    help: [
      "read at most this much of the response body (decoded), as curl's --max-filesize:",
      "past it, stop reading and exit 4. A number of bytes, or with K, M or G",
      "(1024-based). Default 64M; 0 for none. A redirect -L follows is never read",
    ],
    commands: ["fetch"],
  },
  {
    name: "raw-path",
    type: "boolean",
    help: [
      "keep the URL as written, with . and .. segments and //, for the request",
      "functions to read and for sign to print. Without it the URL is written as",
      "fetch sends it: dot segments resolved, spaces and non-ASCII percent-encoded.",
      "fetch --raw-path sends the path as written, percent-encoding only what a request",
      "line cannot carry, with the request's own headers and Host and Content-Length",
      "when it lacks them (fetch adds Accept, Accept-Encoding and the like)",
    ],
    commands: ["sign", "fetch"],
  },
  {
    name: "color",
    type: "boolean",
    help: ["color the caret displays and traces even when not on a terminal"],
    commands: "all",
  },
  {
    name: "no-color",
    type: "boolean",
    help: [
      "never color. The last of --color and --no-color wins; without either, FORCE_COLOR",
      "set (even empty; but 0 or false) colors, then NO_COLOR (not empty) or TERM=dumb",
      "does not, then a terminal is colored",
    ],
    commands: "all",
  },
  { name: "help", short: "h", type: "boolean", help: ["print this help"], commands: "all" },
  { name: "version", short: "V", type: "boolean", help: ["print the version"], commands: "all" },
];

/** Whether `flag` applies to `command`. */
export function takes(flag: Flag, command: CommandName): boolean {
  return flag.commands === "all" || flag.commands.includes(command);
}

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** parseArgs's options, from the table. */
export function parseArgsOptions(): Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> {
  const options: Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }> = {};
  for (const flag of FLAGS) {
    options[flag.name] = {
      type: flag.type,
      ...(flag.short ? { short: flag.short } : {}),
      ...(flag.multiple ? { multiple: true } : {}),
    };
  }
  return options;
}

/** `-X, --request METHOD` */
export function flagLabel(flag: Flag): string {
  const long = `--${flag.name}${flag.value ? ` ${flag.value}` : ""}`;
  return flag.short ? `-${flag.short}, ${long}` : long;
}

/** The options part of a help: each flag, its help beside it or under it when the label is long. */
function flagLines(flags: readonly Flag[], global = false): string[] {
  const lines: string[] = [];
  for (const flag of flags) {
    const label = flagLabel(flag);
    const [help = "", ...rest] = flag.help;
    // In the whole help, a flag of a few commands says which.
    const few = global && flag.commands !== "all" && flag.commands.length <= 3;
    const first = few ? `${(flag.commands as readonly string[]).join(", ")}: ${help}` : help;
    if (label.length <= 14) {
      lines.push(`  ${label.padEnd(15)}${first}`);
    } else {
      lines.push(`  ${label}`, `                 ${first}`);
    }
    for (const line of rest) lines.push(`                 ${line}`);
  }
  return lines;
}

/** The help of one command: its usage, what it does, its flags only, and an example. */
export function commandHelp(command: Command): string {
  const [first, ...more] = command.usage;
  const lines = [`Usage: ${first}`, ...more.map((u) => `       ${u}`), "", `${capitalized(command.summary)}.`];
  if (command.about) lines.push("", ...command.about);
  const flags = FLAGS.filter((f) => takes(f, command.name));
  lines.push("", "Options:", ...flagLines(flags));
  lines.push("", command.examples.length > 1 ? "Examples:" : "Example:", ...command.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

const capitalized = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

/** The usage line that lists every command, for the top of the help and for usage errors. */
export function commandList(): string {
  return COMMANDS.map((c) => c.name).join("|");
}

/** The whole help: every command's usage and summary, every flag, examples, exit codes. */
export function globalHelp(details: { maxTemplateLength: number; examples: readonly string[] }): string {
  const usage = COMMANDS.flatMap((c) => c.usage);
  const lines = [
    `Usage: hash-helper ${commandList()} [options] …`,
    ...usage.map((u) => `       ${u}`),
    "",
    "Expands the hash helper blocks ({hash…;} and <hash…;>) of a URL template into signatures.",
    "",
    "Commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(12)}${c.summary}`),
    "",
    "With - as the argument, or no argument and piped input, the template or expression is read",
    "from standard input, less one trailing newline; @FILE reads it from a file.",
    "'hash-helper COMMAND --help' shows a command's own options.",
    "",
    "Options:",
    ...flagLines(FLAGS, true),
    "",
    "Examples:",
    ...details.examples.map((e) => `  ${e}`),
    "",
    "Standard input, @FILE, --data @FILE, .http files and --secrets-file must be UTF-8 text. Standard",
    `input and a body are templates, of at most ${details.maxTemplateLength} characters; a secrets file takes at most 1 MiB.`,
    "",
    "Exit status: 0 success, 1 error in the template or expression (lint: warnings or errors found),",
    "2 usage error (input that is not UTF-8 text or is too long included), 3 the server answered 4xx",
    "or 5xx (fetch), 4 the request got no answer or not in time (fetch), 70 internal error, 74",
    "standard output could not be written: closed, full, or its reader went away (as with | head,",
    "which ends the program without a message).",
  ];
  return `${lines.join("\n")}\n`;
}
