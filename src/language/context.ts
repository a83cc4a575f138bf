// What a method may read besides its arguments: the clock, the host's secrets, the request.
// The engine makes one for each expansion (src/engine/context.ts).

/**
 * The parts of a request in the order they are expanded: the URL, then the body, then the
 * headers (among themselves in the order their reads of each other need). A part can only read
 * what is expanded before it. Defined here once; signRequest() expands in this order.
 */
export const REQUEST_PARTS = ["url", "body", "header"] as const;
export type RequestPart = (typeof REQUEST_PARTS)[number];

/** Whether a template in part `at` may read part `reads` of the request: only once it is expanded. */
export function requestPartReadable(reads: RequestPart, at: RequestPart): boolean {
  const order = REQUEST_PARTS.indexOf(reads);
  const here = REQUEST_PARTS.indexOf(at);
  // Headers read each other in the order their reads need, so a header may read a header.
  return order < here || (reads === "header" && at === "header");
}

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
   * request part that was): a trace masks it, as it masks what getSecret() gives.
   */
  tainted?: (() => void) | undefined;
  /**
   * What the expansion has built so far, in the units of maxValueSize, against maxExpansionSize.
   * One object for the whole expansion: contexts derived from it share it.
   */
  readonly built: { size: number };
}

/** What the request functions read: the request as far as it has been expanded. */
export interface RequestView {
  /** Which part of the request the running template belongs to. */
  part: RequestPart;
  method: string;
  /** The expanded URL, and its path and query (without '?') exactly as they stand in it. */
  url: string;
  path: string;
  query: string;
  /** The body's bytes; undefined while the body itself is being expanded. */
  body: Uint8Array | undefined;
  /** An expanded header's value by case-insensitive name, or undefined when there is none. */
  header(name: string): string | undefined;
  /** Whether a part was built from a secret: "url", "body", or a header's name in any case. */
  fromSecret(part: string): boolean;
}
