// What a host gives the extension, and what the live value gives back.
import {
  defaultHelper,
  type Explanation,
  type HashHelper,
  type ProblemReport,
  type RequestExplanation,
  type RequestTemplate,
  type SignedRequest,
} from "../index.ts";

/** Secrets as a host holds them: names the editor may offer, values only expand() reads. */
export type SecretValues = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

export interface HashHelperEditorOptions {
  /** The instance whose method table (host functions included) and limits the editor uses. Default: the package's. */
  helper?: HashHelper | undefined;
  /**
   * The host's secrets, or a function that gives them as they are now (read on every use, so a
   * secrets panel needs no reconfiguration). Completion offers their names after
   * `getSecret("`; their values go to expand() and lint() only, never into the editor's DOM.
   */
  secrets?: SecretValues | (() => SecretValues | undefined) | undefined;
  /**
   * The request the text belongs to, for a field that is one part of a request (its URL, a
   * header, the body) or a whole request: lint() and the live value then see the request, and
   * what they report about a part whose text stands in the editor is shown at its place there.
   */
  request?: ((text: string) => RequestTemplate | undefined) | undefined;
  /** The live value: a callback, or options for the panel and the callback. Off when absent. */
  live?: LiveOptions | ((value: LiveValue) => void) | undefined;
  /** Milliseconds of quiet after a change before the diagnostics are computed again. Default 300. */
  lintDelay?: number | undefined;
}

export interface LiveOptions {
  /** Called with every new value. */
  onValue?: ((value: LiveValue) => void) | undefined;
  /** Show the output and the trace in a panel under the editor. Default true. */
  panel?: boolean | undefined;
  /** The host's clock: the instant to expand at (a Date or epoch milliseconds), undefined for now. */
  now?: (() => Date | number | undefined) | undefined;
  /** Milliseconds of quiet after a change before the template is expanded again. Default 250. */
  delay?: number | undefined;
  /** Expand again every so many milliseconds though nothing changed, for a clock that runs. Default: never. */
  refresh?: number | undefined;
}

/**
 * What the template gives as it stands: its output and trace, keys and what secrets built
 * masked (as explain() masks them), or the error that stops it.
 */
export type LiveValue =
  | { kind: "template"; output: string; explanation: Explanation }
  | { kind: "request"; output: SignedRequest; explanation: RequestExplanation }
  | { kind: "error"; error: Error; problems: readonly ProblemReport[] };

export interface Resolved {
  helper: HashHelper;
  secrets: () => SecretValues | undefined;
  request: ((text: string) => RequestTemplate | undefined) | undefined;
  live: Omit<LiveOptions, "panel" | "delay"> & { panel: boolean; delay: number };
  liveOn: boolean;
  lintDelay: number;
}

export function resolve(options: HashHelperEditorOptions): Resolved {
  const given = options.secrets;
  const live = typeof options.live === "function" ? { onValue: options.live, panel: false } : options.live;
  return {
    helper: options.helper ?? defaultHelper,
    secrets: typeof given === "function" ? given : () => given,
    request: options.request,
    live: { ...live, panel: live?.panel ?? true, delay: live?.delay ?? 250 },
    liveOn: live !== undefined,
    lintDelay: options.lintDelay ?? 300,
  };
}

/** The names of the secrets, never their values. */
export function secretNames(secrets: SecretValues | undefined): string[] {
  if (!secrets) return [];
  return secrets instanceof Map ? [...secrets.keys()] : Object.keys(secrets);
}

/** A HashHelperError from any copy of the package (a host may bundle its own). */
export function problemsOf(error: unknown): readonly ProblemReport[] | undefined {
  if (error instanceof Error && error.name === "HashHelperError") {
    const problems = (error as Error & { problems?: unknown }).problems;
    if (Array.isArray(problems)) return problems as ProblemReport[];
  }
  return undefined;
}
