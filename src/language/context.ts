import type { Value } from "./method.ts";
// What a method may read besides its arguments: the clock, the host's secrets, the request, the
// expansion's named values and random draws. The engine makes one for each expansion
// (src/engine/context.ts).

/**
 * What a request function reads of the request being signed. The engine expands the parts of a
 * request in the order these reads need (src/features/sign-request.ts), so a part reads what it
 * reads once it is expanded, and two parts that read each other are an error.
 */
export type RequestRead =
  /** The whole URL. */
  | "url"
  | "scheme"
  /** The host, with its port when the URL has one. */
  | "host"
  | "path"
  | "query"
  /** The body's bytes. */
  | "body"
  /** The body's form parameters: the body and its Content-Type header. */
  | "form"
  /** One header, named by the call's first argument (a string literal). */
  | "header"
  /** The headers of a `;`-separated list (first argument), or every header when it is left out. */
  | "headers";

/** The one clock of an expansion and anything else a method may read besides its arguments. */
export interface EvalContext {
  /** Epoch milliseconds, read once per expansion so every block sees the same instant. */
  nowMs: number;
  /** The value of a host-supplied secret, or undefined when the host has none by that name. */
  secret(name: string): string | undefined;
  /** The request being signed, when a template is part of one (signRequest). */
  request?: RequestView | undefined;
  /**
   * Called when a method gives a value built from a secret without reading one itself (a
   * request part that was, a named value that was): a trace masks it, as it masks what
   * getSecret() gives.
   */
  tainted?: (() => void) | undefined;
  /**
   * What belongs to the expansion as a whole: what it has built so far, in the units of
   * maxValueSize, against maxExpansionSize, its named values and its random draws. One object
   * for the whole expansion: contexts derived from it share it.
   */
  readonly built: Expansion;
  /** Fills an array with random bytes: the host's source, or crypto.getRandomValues. */
  random(bytes: Uint8Array): void;
}

/**
 * The state of one expansion. The maps are made when first needed (namesOf, drawsOf), so that an
 * expansion that names and draws nothing, nearly all of them, pays nothing for them.
 */
export interface Expansion {
  size: number;
  names?: Names;
  /** The random values drawn, one a kind and length (hash.getNonce, hash.getUuid). */
  draws?: Map<string, string>;
}

/** The named values of one expansion, and which of them a secret built. */
export interface Names {
  readonly values: Map<string, Value>;
  readonly secret: Set<string>;
}

/** The expansion's named values (hash.let / hash.get), shared by every block and part. */
export function namesOf(context: EvalContext): Names {
  context.built.names ??= { values: new Map(), secret: new Set() };
  return context.built.names;
}

/** The expansion's random draws. */
export function drawsOf(context: EvalContext): Map<string, string> {
  context.built.draws ??= new Map();
  return context.built.draws;
}

/** The URL of the request as the part being expanded sees it. */
export interface UrlView {
  href: string;
  scheme: string;
  host: string;
  /** As it stands in the URL ('/' when empty). */
  path: string;
  /** Without '?', as it stands in the URL ('' when none). */
  query: string;
}

/** What the request functions read: the request as the running part sees it. */
export interface RequestView {
  method: string;
  /**
   * The expanded URL. Read from a block of the URL itself, it is the URL without the query
   * parameter that holds the block, and without any parameter that reads that block.
   */
  url(): UrlView;
  /** The body's bytes (empty when none). */
  body(): Uint8Array;
  /** The body's application/x-www-form-urlencoded parameters, '+' written as %20; '' otherwise. */
  form(): string;
  /** An expanded header's values by case-insensitive name, in order; undefined when there is none. */
  header(name: string): readonly string[] | undefined;
  /**
   * The headers a read of every header takes, as name and value: all but the running one and
   * those that read it, and `host` (the URL's) when the request has no Host header.
   */
  everyHeader(): readonly (readonly [string, string])[];
  /** Whether a part was built from a secret: "url", "body", or a header's name in any case. */
  fromSecret(part: string): boolean;
}
