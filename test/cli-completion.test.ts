import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

// `hash-helper completion bash|zsh|fish` in a real interactive shell, in a pseudo-terminal
// (test/pty-session.py), Tab pressed as a person presses it: the shell's line editor, not the
// completion function alone, decides what lands on the line (bash's readline and fish close an
// open quote after a single match).

const root = fileURLToPath(new URL("..", import.meta.url));
const cli = join(root, "dist/cli.cjs");
const has = (command: string) => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0;
const python = has("python3");
const dir = mkdtempSync(join(tmpdir(), "hash-helper-completion-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Terminal sequences (CSI, OSC titles), the bell readline rings when more than one match is
// left, and carriage returns of redraws.
// biome-ignore lint/suspicious/noControlCharactersInRegex: those are what it removes
const NOISE = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[=>]|\x07|\r|.\x08/g;

const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
const script = (shell: string) => `${quote(process.execPath)} ${quote(cli)} completion ${shell}`;

/** hash-helper as a shell function that prints its arguments: what the shell parsed off the line. */
const PRINTER = "hash-helper() { printf 'ARG<%s>\\n' \"$@\"; }";

/** How each shell starts bare, sets the prompt to READY> and loads the script, then says LOADED. */
const SHELLS = {
  bash: {
    argv: ["bash", "--norc", "--noprofile", "-i"],
    // The prompt and the word echoed are split in two in what is typed, so that only the shell's
    // own output matches them: typing goes on once the script is loaded and the editor is reading.
    setup: `PS1='REA''DY> '; source <(${script("bash")}); ${PRINTER}; echo LOA''DED\r`,
  },
  zsh: {
    argv: ["zsh", "-f", "-i"],
    setup: `PS1='REA''DY> '; autoload -U compinit; compinit -u; source <(${script("zsh")}); ${PRINTER}; echo LOA''DED\r`,
  },
  fish: {
    argv: ["fish", "--no-config", "-i"],
    setup: `function fish_prompt; echo -n 'REA''DY> '; end; ${script("fish")} | source; function hash-helper; printf 'ARG<%s>\\n' $argv; end; echo LOA''DED\r`,
  },
} as const;

/**
 * What the line holds after typing `typed`, a Tab, and a marker: the text before the marker. With
 * `close`, the line is then ended with it and Enter, and run: what the shell gives the last
 * argument is returned (a quote the completion closed leaves `close` opening another instead,
 * and nothing runs).
 */
async function afterTab(shell: keyof typeof SHELLS, typed: string, close?: string): Promise<string> {
  const marker = "@@";
  const ending =
    close === undefined
      ? [{ expect: marker }, { send: "\x03" }] // Ctrl+C drops the line
      : [{ send: `${close}\r` }, { expect: `${marker}>` }];
  const steps = [
    { send: SHELLS[shell].setup },
    { expect: "LOADED" },
    { expect: "READY> " },
    { send: typed },
    { send: "\t" },
    { send: marker },
    ...ending,
    { expect: "READY> " },
    { send: "exit\r" },
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    XDG_CONFIG_HOME: dir,
    XDG_DATA_HOME: dir,
    INPUTRC: "/dev/null",
    TERM: "xterm",
  };
  const { stdout } = await promisify(execFile)(
    "python3",
    [join(root, "test/pty-session.py"), JSON.stringify(steps), ...SHELLS[shell].argv],
    { env, cwd: dir, timeout: 30_000 },
  );
  const { output, error } = JSON.parse(stdout) as { output: string; error: string | null };
  expect(error).toBeNull();
  const shown = output.replace(NOISE, "");
  if (close !== undefined) {
    const end = shown.lastIndexOf(`${marker}>`);
    return shown.slice(shown.lastIndexOf("ARG<", end) + "ARG<".length, end);
  }
  // The line as last drawn: from the command to the marker.
  const end = shown.lastIndexOf(marker);
  return shown.slice(shown.lastIndexOf("hash-helper ", end), end);
}

const CASES: { why: string; typed: string; close?: string; line: string; shells?: string[] }[] = [
  // Run: the argument the template becomes, so a quote closed by the completion fails it.
  {
    why: "inside a single-quoted template: the quote stays open",
    typed: "hash-helper expand 'x={hash.getExp",
    close: "'",
    line: "x={hash.getExpiryTime(",
  },
  {
    why: "inside a double-quoted template: the quote stays open",
    typed: 'hash-helper eval "hash.append(1).toH',
    close: '"',
    line: "hash.append(1).toHex()",
  },
  {
    why: "an unquoted expression completes as before",
    typed: "hash-helper eval hash.getExp",
    line: "hash-helper eval hash.getExpiryTime(",
    // In fish an unquoted ( starts a command substitution: fish escapes it (\() and moves on.
    shells: ["bash", "zsh"],
  },
];

for (const shell of Object.keys(SHELLS) as (keyof typeof SHELLS)[]) {
  const found = python && has(shell);
  describe.skipIf(!found)(`${shell} completion in an interactive ${shell}${found ? "" : " (not installed)"}`, () => {
    it.each(CASES.filter((c) => !c.shells || c.shells.includes(shell)))(
      "$why",
      async ({ typed, close, line }) => {
        expect(await afterTab(shell, typed, close)).toBe(line);
      },
      30_000,
    );
  });
}

describe.skipIf(!python || !has("bash"))("bash completion of the command line itself", () => {
  it("a command, then a space", async () => {
    expect(await afterTab("bash", "hash-helper lin")).toBe("hash-helper lint ");
  }, 30_000);
});
