// The share link: the template in the URL's fragment, with every key argument redacted. What
// cannot be carried as it is written is refused with a reason the page shows, and the page then
// clears the link it showed before: a stale link would share another template.
import type { HashHelper } from "../src/index.ts";

export type Shared = { ok: true; fragment: string } | { ok: false; reason: string };

/** A lone surrogate: UTF-8, which a URL's percent-escapes are, has no bytes for one. */
const LONE_SURROGATE = /\p{Cs}/u;

export function shareFragment(text: string, helper: Pick<HashHelper, "redact" | "limits">): Shared {
  const limit = helper.limits.maxTemplateLength;
  if (text.length > limit) {
    return { ok: false, reason: `not shared: the template is longer than ${limit} characters (maxTemplateLength)` };
  }
  if (LONE_SURROGATE.test(text)) {
    return {
      ok: false,
      reason: "not shared: the template holds half of a UTF-16 surrogate pair, which a link cannot carry unchanged",
    };
  }
  let redacted: string;
  try {
    redacted = helper.redact(text);
  } catch (e) {
    const why = e instanceof Error && e.name === "HashHelperError" ? "its keys could not be found to redact them" : "";
    return { ok: false, reason: `not shared: ${why || "it could not be redacted"}` };
  }
  return { ok: true, fragment: new URLSearchParams({ t: redacted }).toString() };
}

/** The template a fragment carries, or undefined. */
export function sharedTemplate(hash: string): string | undefined {
  return new URLSearchParams(hash.replace(/^#/, "")).get("t") ?? undefined;
}
