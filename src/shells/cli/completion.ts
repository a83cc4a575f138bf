// `hash-helper completion bash|zsh|fish`: a script that completes the commands, each command's
// flags and, inside a template (a word holding `hash.`), method names after `hash.` or `.`, with
// `(` after the name (`()` when it takes no argument), as the REPL's Tab completion inserts them.
// Generated from the CLI's table of commands and flags and the language's method table, when
// asked for.
import { methods } from "../../index.ts";
import { COMMANDS, type CommandName, FLAGS, type Flag, takes } from "./commands.ts";

/** The script for `shell`, or undefined for a shell it does not know. */
export function completionScript(shell: string): string | undefined {
  if (shell === "bash") return bash();
  if (shell === "zsh") return zsh();
  if (shell === "fish") return fish();
  return undefined;
}

/** Method names as completion inserts them: after `hash.`, every method; after `.`, those a chain can continue with. */
function methodWords(): { all: string[]; chain: string[] } {
  const all: string[] = [];
  const chain: string[] = [];
  for (const method of methods.values()) {
    const word = `${method.name}(${method.params.length === 0 ? ")" : ""}`;
    all.push(word);
    if (method.input !== "start") chain.push(word);
  }
  return { all, chain };
}

const commandNames = () => COMMANDS.map((c) => c.name);
const flagWords = (flags: readonly Flag[]) =>
  flags.flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])]);
const valueFlags = () => flagWords(FLAGS.filter((f) => f.type === "string"));
/** Flags whose value is a file name. */
const FILE_FLAGS = ["--secrets-file", "--data"];
const flagsOf = (command: CommandName) => flagWords(FLAGS.filter((f) => takes(f, command)));
const globalFlags = () => flagWords(FLAGS.filter((f) => f.commands === "all"));

function bash(): string {
  const { all, chain } = methodWords();
  const cases = COMMANDS.map((c) => `    ${c.name}) flags='${flagsOf(c.name).join(" ")}' ;;`).join("\n");
  const noValue = valueFlags().filter((f) => !FILE_FLAGS.includes(f));
  return `# hash-helper completion for bash. Load it with: eval "$(hash-helper completion bash)"
_hash_helper_all='${all.join(" ")}'
_hash_helper_chain='${chain.join(" ")}'
_hash_helper() {
  local cur="\${2-\${COMP_WORDS[COMP_CWORD]}}" prev="" cmd="" flags="" i w
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for (( i = 1; i < COMP_CWORD; i++ )); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      ${valueFlags().join("|")}) (( i++ )) ;;
      -*) ;;
      *) cmd="$w"; break ;;
    esac
  done
  # A method name inside a template: after hash. or after the . that ends a call.
  local word="\${cur#[\\"\\']}"
  if [[ "$word" == *hash.* ]]; then
    local prefix="\${word%.*}." partial="\${word##*.}" list="$_hash_helper_chain"
    [[ "$prefix" == *hash. ]] && list="$_hash_helper_all"
    COMPREPLY=( $(compgen -W "$list" -- "$partial") )
    for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]="$prefix\${COMPREPLY[i]}"; done
    compopt -o nospace 2>/dev/null
    # Inside an open quote, readline closes the quote after a single match, and nothing a
    # completion function can set stops it (compopt -o noquote only stops the quoting of file
    # names): a second match, the same with a space, leaves the quote open.
    if [[ "\${COMP_WORDS[COMP_CWORD]}" == [\\"\\']* && \${#COMPREPLY[@]} -eq 1 ]]; then
      COMPREPLY+=( "\${COMPREPLY[0]} " )
    fi
    return 0
  fi
  case "$prev" in
    ${FILE_FLAGS.join("|")}) COMPREPLY=( $(compgen -f -- "\${cur#@}") ); return 0 ;;
    ${noValue.join("|")}) return 0 ;;
  esac
  if [[ -z "$cmd" ]]; then
    if [[ "$cur" == -* ]]; then
      COMPREPLY=( $(compgen -W '${globalFlags().join(" ")}' -- "$cur") )
    else
      COMPREPLY=( $(compgen -W '${commandNames().join(" ")}' -- "$cur") )
    fi
    return 0
  fi
  case "$cmd" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$flags" -- "$cur") )
  elif [[ "$cmd" == completion ]]; then
    COMPREPLY=( $(compgen -W 'bash zsh fish' -- "$cur") )
  elif [[ "$cmd" == help ]]; then
    COMPREPLY=( $(compgen -W '${commandNames().join(" ")}' -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
  return 0
}
complete -o default -F _hash_helper hash-helper
`;
}

function zsh(): string {
  const { all, chain } = methodWords();
  const cases = COMMANDS.map((c) => `    ${c.name}) flags=(${flagsOf(c.name).join(" ")}) ;;`).join("\n");
  const quoted = (words: readonly string[]) => words.map((w) => `'${w}'`).join(" ");
  return `#compdef hash-helper
# hash-helper completion for zsh. Load it with: eval "$(hash-helper completion zsh)" (after compinit)
_hash_helper() {
  local -a all chain flags
  all=(${quoted(all)})
  chain=(${quoted(chain)})
  local cmd="" i
  for (( i = 2; i < CURRENT; i++ )); do
    case \${words[i]} in
      ${valueFlags().join("|")}) (( i++ )) ;;
      -*) ;;
      *) cmd=\${words[i]}; break ;;
    esac
  done
  if [[ $PREFIX == *hash.* ]]; then
    compset -P '*.'
    if [[ $IPREFIX == *hash. ]]; then compadd -Q -S '' -- $all; else compadd -Q -S '' -- $chain; fi
    return
  fi
  case \${words[CURRENT-1]} in
    ${FILE_FLAGS.join("|")}) _files; return ;;
    ${valueFlags()
      .filter((f) => !FILE_FLAGS.includes(f))
      .join("|")}) return ;;
  esac
  if [[ -z $cmd ]]; then
    if [[ $PREFIX == -* ]]; then compadd -- ${globalFlags().join(" ")}; else compadd -- ${commandNames().join(" ")}; fi
    return
  fi
  case $cmd in
${cases}
  esac
  if [[ $PREFIX == -* ]]; then
    compadd -- $flags
  elif [[ $cmd == completion ]]; then
    compadd -- bash zsh fish
  elif [[ $cmd == help ]]; then
    compadd -- ${commandNames().join(" ")}
  else
    _files
  fi
}
if (( $+functions[compdef] )); then compdef _hash_helper hash-helper; fi
`;
}

function fish(): string {
  const { all, chain } = methodWords();
  const quote = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  const lines = [
    "# hash-helper completion for fish. Save it as ~/.config/fish/completions/hash-helper.fish",
    "function __hash_helper_command",
    "    set -l tokens (commandline -opc)",
    "    set -e tokens[1]",
    "    set -l skip 0",
    "    for t in $tokens",
    "        if test $skip = 1",
    "            set skip 0",
    "            continue",
    "        end",
    "        switch $t",
    `            case ${valueFlags()
      .map((f) => `'${f}'`)
      .join(" ")}`,
    "                set skip 1",
    "            case '-*'",
    "            case '*'",
    "                echo $t",
    "                return 0",
    "        end",
    "    end",
    "    return 1",
    "end",
    "function __hash_helper_in_template",
    "    string match -q -- '*hash.*' (commandline -ct)",
    "end",
    "function __hash_helper_methods",
    "    set -l raw (commandline -ct)",
    "    set -l token (string replace -r -- '^[\\'\"]' '' $raw)",
    "    set -l prefix (string replace -r -- '[^.]*$' '' $token)",
    "    set -l partial (string replace -r -- '^.*\\.' '' $token)",
    `    set -l list ${chain.map(quote).join(" ")}`,
    "    if string match -q -- '*hash.' $prefix",
    `        set list ${all.map(quote).join(" ")}`,
    "    end",
    "    set -l found",
    "    for m in $list",
    '        string match -q -- "$partial*" $m; and set -a found $prefix$m',
    "    end",
    "    test (count $found) -gt 0; and printf '%s\\n' $found",
    "    # Inside an open quote, one match comes twice, the second with a space: the quote stays open.",
    "    if test (count $found) -eq 1; and string match -qr -- '^[\\'\"]' $raw",
    '        echo "$found[1] "',
    "    end",
    "end",
    "complete -c hash-helper -n __hash_helper_in_template -f -a '(__hash_helper_methods)'",
    ...COMMANDS.map(
      (c) => `complete -c hash-helper -f -n 'not __hash_helper_command' -a ${c.name} -d ${quote(c.summary)}`,
    ),
    "complete -c hash-helper -f -n '__fish_seen_subcommand_from completion' -a 'bash zsh fish'",
    `complete -c hash-helper -f -n '__fish_seen_subcommand_from help' -a ${quote(commandNames().join(" "))}`,
  ];
  for (const flag of FLAGS) {
    const commands = flag.commands === "all" ? undefined : flag.commands.join(" ");
    const condition = commands ? ` -n '__fish_seen_subcommand_from ${commands}'` : "";
    const short = flag.short ? ` -s ${flag.short}` : "";
    const value = flag.type === "string" ? (FILE_FLAGS.includes(`--${flag.name}`) ? " -r -F" : " -r") : "";
    // The help's first words, to its first stop: fish shows one short line.
    const description = (flag.help[0] ?? "").split(/[.;:,]\s|\s\(/)[0] ?? "";
    lines.push(`complete -c hash-helper${condition} -l ${flag.name}${short}${value} -d ${quote(description)}`);
  }
  return `${lines.join("\n")}\n`;
}
