// The lint rules: one entry each, with its code, severity, summary, a template that triggers it
// and one that must not (test/lint.test.ts runs both for every entry, and docs/lint.md is
// generated from this table), and its check. A check reads the model (lint-source.ts) and
// finds places; lint.ts turns them into masked diagnostics. Messages, hints and fix titles
// never hold a literal's text or a secret's value: only method names and names.

import type { Argument } from "../language/ast.ts";
import { base64Problem, fromBase64 } from "../language/encoding.ts";
import { quoteName } from "../language/errors.ts";
import {
  type CallUse,
  type ClockRead,
  FILLER,
  isDigest,
  type LintModel,
  type LintPart,
  type LiteralUse,
  occurring,
  paramAt,
  textOf,
  type UrlShape,
  urlShape,
} from "./lint-source.ts";
import type { RequestTemplate } from "./sign-request.ts";

/** What a check finds: a place in a part, what is wrong, and maybe a replacement that fixes it. */
export interface Finding {
  part: LintPart;
  offset: number;
  length: number;
  message: string;
  hint: string;
  fix?: { offset: number; length: number; text: string; title: string } | undefined;
}

/** A template or request a rule is shown and tested with, and the secrets it is linted with. */
export interface LintExample {
  input: string | RequestTemplate;
  secrets?: Readonly<Record<string, string>>;
}

/** A lint rule as the package lists it (lintRules, docs/lint.md). */
export interface LintRule {
  code: string;
  severity: "warning" | "info";
  /** What it finds, and the failure it comes from. */
  summary: string;
  /** A template it reports, and the text its diagnostic points at (the first place that text stands). */
  trigger: LintExample & { at: string };
  /** A template it must not report. */
  clean: LintExample;
  /**
   * Whether it also reads one expression, as evaluate() and `hash-helper eval` take it (lint's
   * `expression` option): an expression sends nothing, so the rules about what a request sends
   * and signs do not apply to it; those about keys do.
   */
  expressions: boolean;
}

/** A rule of the table: the rule, and its check. */
export interface RuleEntry extends LintRule {
  check(model: LintModel): Finding[];
}

// The examples share their URLs; they are short so that the table stays small in the bundle.
const MARVEL = "http://gateway.marvel.com/v1/public/characters?";
const PUBLIC = "91e13b2be07839c935d336286e1b8c45";
const MARVEL_KLIPFOLIO = `${MARVEL}ts={hash.getExpiryTime(300);}&apikey=${PUBLIC}&hash={hash.append(hash.getExpiryTime(240)).append("d636a3ceceee7cfbce702595820b020d17d67fc5").append("${PUBLIC}").encodeMd5().toHex().printDigest();}`;
const API = "https://api.example.com/v1?";
const SIGN = '.encodeHmacSha256(hash.getSecret("k")).toHex().printDigest();}';
const MOZ = "https://lsapi.seomoz.com/v1?AccessID=mozscape-b6838361ee&Expires={hash.getExpiryTime(240);}&Signature=";
const mozSigning = (id: string, end: string) =>
  `${MOZ}{hash.append("${id}").appendNewLine().append(hash.getExpiryTime(240)).encodeHmacSha1(hash.getSecret("moz")).encodeBase64()${end}.printDigest();}`;
const unleashed = (signed: string, end = "") => ({
  url: "https://api.unleashedsoftware.com/Customers?customerCode=ACME",
  headers: [
    [
      "api-auth-signature",
      `{hash.${signed}.encodeHmacSha256(hash.getSecret("u")).encodeBase64()${end}.printDigest();}`,
    ],
  ] as [string, string][],
});
const keyed = (key: string) => `{hash.append("msg-1").encodeHmacSha256(${key}).encodeBase64().printDigest();}`;

export const ruleTable: readonly RuleEntry[] = [
  {
    code: "SENT_AND_SIGNED_DIFFER",
    severity: "warning",
    expressions: false,
    summary:
      "A time value is sent with one offset and signed with another, as in Klipfolio's Marvel example (ts 300 seconds ahead, 240 signed): the API signs what it receives.",
    trigger: { input: MARVEL_KLIPFOLIO, at: "getExpiryTime(300)" },
    clean: { input: `${MARVEL}ts={hash.getExpiryTime(0);}&hash={hash.append(hash.getExpiryTime(0))${SIGN}` },
    check: (model) => clockAnalysis(model).differ,
  },
  {
    code: "CLOCK_SENT_TWICE",
    severity: "warning",
    expressions: false,
    summary:
      "The parameter or header that sends a signed time value is sent again with another offset: the API reads one of the two. Another name with another offset (ts beside a signed expires) is another value, not reported.",
    trigger: {
      input: `${API}e={hash.getExpiryTime(60);}&e={hash.getExpiryTime(90);}&s={hash.append(hash.getExpiryTime(60))${SIGN}`,
      at: "getExpiryTime(90)",
    },
    clean: {
      input: `${API}ts={hash.getExpiryTime(0);}&expires={hash.getExpiryTime(300);}&s={hash.append(hash.getExpiryTime(300))${SIGN}`,
    },
    check: (model) => clockAnalysis(model).twice,
  },
  {
    code: "CLOCK_NOT_SENT",
    severity: "warning",
    expressions: false,
    summary:
      "A time value is signed but nothing sent carries it, as in Klipfolio's ExampleOnly signature: the API cannot know the instant signed.",
    trigger: { input: `${API}s={hash.append(hash.getExpiryTime(240))${SIGN}`, at: "getExpiryTime(240)" },
    clean: { input: `${API}e={hash.getExpiryTime(240);}&s={hash.append(hash.getExpiryTime(240))${SIGN}` },
    check: (model) => clockAnalysis(model).notSent,
  },
  {
    code: "BASE64_NOT_URL_ENCODED",
    severity: "warning",
    expressions: false,
    summary:
      "A query parameter's value ends in encodeBase64() with no encodeURL() after it: '+', '/' and '=' change meaning in a query, so it fails for some signatures only.",
    trigger: { input: mozSigning("mozscape-b6838361ee", ""), at: "encodeBase64()" },
    clean: { input: mozSigning("mozscape-b6838361ee", ".encodeURL()") },
    check: base64InQuery,
  },
  {
    code: "URL_ENCODED_IN_HEADER",
    severity: "warning",
    expressions: false,
    summary:
      "A header that is base64 with encodeURL() after it: a header is no query, and the API compares the base64.",
    trigger: { input: unleashed("getRequestQuery()", ".encodeURL()"), at: "encodeURL()" },
    clean: { input: unleashed("getRequestQuery()") },
    check: urlEncodedHeader,
  },
  {
    code: "KEY_IN_TEMPLATE",
    severity: "warning",
    expressions: true,
    summary:
      "A key written into the template: a literal key argument, or a literal that looks like a key (or has or follows a word such as secret or key) signed and sent nowhere, as Marvel's private key. Read it with hash.getSecret(name), a name for each key.",
    trigger: { input: MARVEL_KLIPFOLIO, at: '"d636a3ceceee7cfbce702595820b020d17d67fc5"' },
    clean: {
      input: `${MARVEL}apikey=${PUBLIC}&hash={hash.append(hash.getSecret("marvel_private")).append("${PUBLIC}")${SIGN}`,
    },
    check: keyInTemplate,
  },
  {
    code: "KEY_LOOKS_BINARY",
    severity: "info",
    expressions: true,
    summary:
      "A key of 32, 40 or 64 hex digits, or base64 of 16 bytes or more, used as text: APIs that publish such keys (Talon.One) often mean the bytes, hash.fromHex(…) or hash.fromBase64(…).",
    trigger: {
      input: keyed('hash.getSecret("t")'),
      secrets: { t: "fefecafedeadbeeffefecafedeadbeef" },
      at: 'hash.getSecret("t")',
    },
    clean: { input: keyed('hash.fromHex(hash.getSecret("t"))'), secrets: { t: "fefecafedeadbeeffefecafedeadbeef" } },
    check: keyLooksBinary,
  },
  {
    code: "PREFIXED_SECRET_DECODED",
    severity: "warning",
    expressions: true,
    summary:
      "hash.fromBase64(…) of a value starting with a prefix such as whsec_ (Svix, Stripe) decodes the prefix as data: take it off with .substring(n).",
    trigger: {
      input: keyed('hash.fromBase64(hash.getSecret("w"))'),
      secrets: { w: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
      at: 'hash.getSecret("w")',
    },
    clean: {
      input: keyed('hash.fromBase64(hash.getSecret("w").substring(6))'),
      secrets: { w: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" },
    },
    check: prefixedSecret,
  },
  {
    code: "QUERY_SIGNED_BY_HAND",
    severity: "warning",
    expressions: false,
    summary:
      "A literal in a signature is the request's own query or path, right only until the request changes: hash.getRequestQuery() and hash.getRequestPath() read what is sent.",
    trigger: { input: unleashed('append("customerCode=ACME")'), at: '"customerCode=ACME"' },
    clean: { input: unleashed("getRequestQuery()") },
    check: queryByHand,
  },
  {
    code: "SIGNED_PARAMETER_DIFFERS",
    severity: "warning",
    expressions: false,
    summary:
      "A signed literal nearly is a parameter the URL sends (same prefix and length), as in Klipfolio's Moz example, which signs another access ID than it sends. No fix where it may be a key (it, its label or the parameter says so).",
    trigger: { input: mozSigning("mozscape-a1b2c3d4e5", ".encodeURL()"), at: '"mozscape-a1b2c3d4e5"' },
    clean: { input: mozSigning("mozscape-b6838361ee", ".encodeURL()") },
    check: parameterDiffers,
  },
  {
    code: "KEY_HAS_SPACE",
    severity: "warning",
    expressions: true,
    summary:
      "A key starts or ends with a space, tab or line break, as one copied from a page does: only the MAC differs.",
    trigger: { input: keyed('hash.getSecret("u")'), secrets: { u: "example-api-key " }, at: 'hash.getSecret("u")' },
    clean: { input: keyed('hash.getSecret("u")'), secrets: { u: "example-api-key" } },
    check: keyHasSpace,
  },
  {
    code: "FIXED_TIME_SIGNED",
    severity: "warning",
    expressions: false,
    summary:
      "A time the API checks (Expires, ts, a Date header) is written as fixed text and signed: the request works until that instant is past, then never.",
    trigger: {
      input: {
        url: "https://api.example.com/v1/activate",
        headers: [
          ["Date", "Tue, 07 Jun 2014 20:51:35 GMT"],
          ["Authorization", `{hash.append(hash.getRequestHeader("Date"))${SIGN}`],
        ],
      },
      at: "Tue, 07 Jun 2014 20:51:35 GMT",
    },
    clean: {
      input: {
        url: "https://api.example.com/v1/activate",
        headers: [
          ["Date", `{hash.getDate("EEE, dd MMM yyyy HH:mm:ss 'GMT'");}`],
          ["Authorization", `{hash.append(hash.getRequestHeader("Date"))${SIGN}`],
        ],
      },
    },
    check: fixedTime,
  },
];

// ---------------------------------------------------------------------------------------------
// Helpers

const at = (part: LintPart, span: { offset: number; length: number }) => ({
  part,
  offset: span.offset,
  length: span.length,
});

// What a literal written by a fix escapes: the quote, the backslash, and what a terminal or a line reads.
// A string of escapes, since the linter takes controls in a regex literal for a mistake.
const CONTROLS = "\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029";
const UNQUOTABLE = new RegExp(`[\\\\"${CONTROLS}]`, "g");

/** A string literal of the language spelling `text` (its escapes: \\ \" \uXXXX). */
function quoted(text: string): string {
  return `"${text.replace(UNQUOTABLE, (c) =>
    c === "\\" || c === '"' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  )}"`;
}

/**
 * Names for the secrets a template should read, from the API's host (`gateway.marvel.com`:
 * marvel_private): one a literal, the same literal twice the same name, two literals two names
 * (marvel_key, marvel_key_2), none a name the template already reads with hash.getSecret(). A
 * fix that gave two keys one name would sign both with one key once applied.
 */
function secretNamer(model: LintModel): (value: string, what: string) => string {
  const url = model.parts.find((p) => p.kind === "url" || p.kind === "template");
  const host = url ? urlShape(url).host.toLowerCase() : "";
  const labels = host.split(":")[0]?.split(".") ?? [];
  const label = labels.length >= 2 ? labels[labels.length - 2] : labels[0];
  const stem = label && /^[a-z][a-z0-9]{0,30}$/.test(label) ? label : "api";
  const taken = new Set<string>();
  for (const use of model.calls) {
    const arg = use.call.args[0];
    if (use.call.method === "getSecret" && arg?.type === "String") taken.add(arg.value);
  }
  const given = new Map<string, string>();
  const next = new Map<string, number>();
  return (value, what) => {
    const known = given.get(value);
    if (known !== undefined) return known;
    const base = `${stem}_${what}`;
    let n = next.get(base) ?? 1;
    let name = n === 1 ? base : `${base}_${n}`;
    while (taken.has(name)) name = `${base}_${++n}`;
    next.set(base, n + 1);
    taken.add(name);
    given.set(value, name);
    return name;
  };
}

/** The URL of what is linted: a request's URL part, or a template. */
function urlOf(model: LintModel): UrlShape | undefined {
  const part = model.parts.find((p) => p.kind === "url" || p.kind === "template");
  return part ? urlShape(part) : undefined;
}

/** Whether `value` is sent as it is: in the text of a part, or as a literal that is sent. */
function sentAnywhere(model: LintModel, value: string): boolean {
  return sentValues(model).has(value);
}

const sentCache = new WeakMap<LintModel, Set<string>>();
const FILLERS = new RegExp(`${FILLER}+`);

/**
 * The literals' values that are sent as they are, found once a model: every literal's value
 * searched in every part's text at once (occurring()), where a search a literal would cost
 * literals × the template's length.
 */
function sentValues(model: LintModel): Set<string> {
  let values = sentCache.get(model);
  if (values) return values;
  const candidates = new Set<string>();
  // A value with the filler in it is no text the request sends: the filler stands for blocks.
  for (const l of model.literals)
    if (l.literal.value.length >= 4 && !l.literal.value.includes(FILLER)) candidates.add(l.literal.value);
  // The text the parts send outside their blocks, without the filler that stands for the blocks.
  values = occurring(
    candidates,
    model.parts.flatMap((p) => p.skeleton.split(FILLERS)),
  );
  for (const l of model.literals) if (l.flow.sent && !l.flow.signed) values.add(l.literal.value);
  sentCache.set(model, values);
  return values;
}

/** The key arguments of digests, MACs and signatures: literals and nested chains alike. */
function keyArguments(model: LintModel): { use: CallUse; arg: Argument }[] {
  const out: { use: CallUse; arg: Argument }[] = [];
  for (const use of model.calls) {
    if (!isDigest(use.method)) continue;
    use.call.args.forEach((arg, i) => {
      if (use.method?.params[i]?.secret) out.push({ use, arg });
    });
  }
  return out;
}

/** The name of a chain that is `hash.getSecret("name")` and nothing more. */
function secretRead(arg: Argument): string | undefined {
  if (arg.type !== "Chain" || arg.calls.length !== 1) return undefined;
  const call = arg.calls[0];
  const name = call?.args[0];
  return call?.method === "getSecret" && name?.type === "String" ? name.value : undefined;
}

/** How a key's text looks when it spells bytes: 32, 40 or 64 hex digits, or base64 of 16 bytes or more. */
function binaryForm(value: string): "hex" | "base64" | undefined {
  if (/^[0-9A-Fa-f]+$/.test(value)) return [32, 40, 64].includes(value.length) ? "hex" : undefined;
  if (base64Problem(value) !== undefined) return undefined;
  // Text keys (words, digits, dashes) are valid base64 too: base64 of random bytes mixes cases and digits.
  const mixed = /[+/=]/.test(value) || (/[0-9]/.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value));
  return mixed && fromBase64(value).length >= 16 ? "base64" : undefined;
}

// ---------------------------------------------------------------------------------------------
// Time values

interface ClockFindings {
  differ: Finding[];
  twice: Finding[];
  notSent: Finding[];
}

const clockCache = new WeakMap<LintModel, ClockFindings>();

/**
 * The three rules about time values in one pass, linear in the reads: every read is keyed once
 * (its method and arguments, its identity, and its offset), every set and list is built once,
 * and each identity's unsigned sent reads are reported once, not once per signed read.
 */
function clockAnalysis(model: LintModel): ClockFindings {
  const known = clockCache.get(model);
  if (known) return known;
  const found: ClockFindings = { differ: [], twice: [], notSent: [] };
  const keys = new Map(model.clocks.map((c) => [c, `${c.identity}@${c.offset}`]));
  const key = (c: ClockRead) => keys.get(c) as string;
  const signed = model.clocks.filter((c) => c.flow.signed);
  const sent = model.clocks.filter((c) => c.flow.sent);
  const sentKeys = new Set(sent.map(key));
  const sentIds = new Set(sent.map((c) => c.identity));
  const firstSigned = new Map<string, ClockRead>();
  for (const c of signed) if (!firstSigned.has(key(c))) firstSigned.set(key(c), c);
  // By identity, the reads sent as a whole value with an offset nothing signs.
  const unsigned = new Map<string, ClockRead[]>();
  // By identity and the parameter or header that sends it, the signed read whose value it sends.
  const carried = new Map<string, ClockRead>();
  for (const t of sent) {
    if (!t.standalone) continue;
    const s = firstSigned.get(key(t));
    if (s) {
      const where = placeOf(t);
      if (where !== undefined && !carried.has(`${t.identity}\u0000${where}`))
        carried.set(`${t.identity}\u0000${where}`, s);
      continue;
    }
    const list = unsigned.get(t.identity);
    if (list) list.push(t);
    else unsigned.set(t.identity, [t]);
  }
  const seen = new Set<string>();
  const push = (list: Finding[], finding: Finding) => {
    const id = `${finding.part.where}:${finding.offset}`;
    if (seen.has(id)) return;
    seen.add(id);
    list.push(finding);
  };
  const fixFrom = (signedRead: ClockRead, sentRead: ClockRead) => ({
    ...at(sentRead.part, sentRead.call.span),
    text: textOf(signedRead.part.source, signedRead.call.span),
    title: "send the value the signature signs",
  });
  const letHint = (name: string) =>
    `use the same argument in both places, or give the value once with hash.let("${name}", …) and read it with hash.get("${name}")`;
  const differed = new Set<string>();
  for (const s of signed) {
    const others = unsigned.get(s.identity) ?? [];
    const name = `${s.call.method}()`;
    if (!sentIds.has(s.identity)) {
      push(found.notSent, {
        ...at(s.part, s.call.span),
        message: `this ${name} is signed, but nothing the request sends carries its value`,
        hint: `send it in the parameter or header the API reads, as in &expires={hash.${s.call.method}(…);}, or sign the header that carries it with hash.getRequestHeader("name")`,
      });
    } else if (!sentKeys.has(key(s))) {
      if (others.length === 0) {
        push(found.differ, {
          ...at(s.part, s.call.span),
          message: `this ${name} is signed with an offset that nothing the request sends has`,
          hint: letHint("ts"),
        });
      }
      // The sent reads are the same whichever signed read is looked at: reported once, fixed
      // with the first signed read's offset. With two or more, which one the API checks against
      // the signature is the API's to say: rewriting all of them would change what the others
      // send, so none gets a fix.
      if (differed.has(s.identity)) continue;
      differed.add(s.identity);
      for (const t of others) {
        const param = paramName(t);
        const own = letHint(param && /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(param) ? param : "ts");
        push(found.differ, {
          ...at(t.part, t.call.span),
          message: `${param ? `the parameter ${quoteName(param)}` : "this block"} sends ${name} with another offset than the signature signs`,
          hint: others.length === 1 ? own : `if this is the value the API checks the signature with, ${own}`,
          fix: others.length === 1 ? fixFrom(s, t) : undefined,
        });
      }
    }
  }
  // Sent twice: the parameter (or header) that carries a signed value sent again with another
  // offset. Another name with another offset (a ts beside the signed expires) is another value.
  for (const [identity, others] of unsigned) {
    for (const t of others) {
      const where = placeOf(t);
      const s = where === undefined ? undefined : carried.get(`${identity}\u0000${where}`);
      if (!s) continue;
      const param = paramName(t) as string;
      push(found.twice, {
        ...at(t.part, t.call.span),
        message: `${quoteName(param)} carries the signed ${s.call.method}() and is sent again, here with another offset: the API reads one of the two`,
        hint: "send it once, or with the same offset in both places",
        fix: fixFrom(s, t),
      });
    }
  }
  clockCache.set(model, found);
  return found;
}

/** The name of the query parameter, or header, whose value a read is in. */
function paramName(read: ClockRead): string | undefined {
  if (read.part.kind === "header") return read.part.where?.replace(/^header /, "");
  if (read.part.kind === "body") return undefined;
  const param = paramAt(urlShape(read.part), read.call.span.offset);
  return param && !param.name.includes(FILLER) ? param.name : undefined;
}

/** A read's parameter or header as one key: a header's name in any case, a parameter's as written. */
function placeOf(read: ClockRead): string | undefined {
  const name = paramName(read);
  if (name === undefined) return undefined;
  return read.part.kind === "header" ? `header ${name.toLowerCase()}` : `${read.part.kind} ${name}`;
}

// ---------------------------------------------------------------------------------------------
// Encodings

/** The last call of a block's value that changes it, printDigest() and a hash.let() around it aside. */
function lastStep(chain: CallUse["chain"]): { calls: CallUse["chain"]["calls"]; index: number } {
  const first = chain.calls[0];
  const value = first?.args[1];
  if (first?.method === "let" && chain.calls.length === 1 && value?.type === "Chain") return lastStep(value);
  let index = chain.calls.length - 1;
  while (index > 0 && chain.calls[index]?.method === "printDigest") index--;
  return { calls: chain.calls, index };
}

function base64InQuery(model: LintModel): Finding[] {
  const url = urlOf(model);
  if (!url) return [];
  const found: Finding[] = [];
  for (const block of url.part.blocks) {
    const offset = block.span.offset;
    if (offset <= url.queryStart || offset >= url.queryEnd) continue;
    if (!paramAt(url, offset)) continue;
    const { calls, index } = lastStep(block.expression);
    const call = calls[index];
    if (call?.method !== "encodeBase64") continue;
    found.push({
      ...at(url.part, call.span),
      message: "base64 goes into a query parameter without encodeURL(): '+', '/' and '=' change meaning there",
      hint: "add .encodeURL() after .encodeBase64(), as the last step before printDigest()",
      fix: {
        offset: call.span.offset + call.span.length,
        length: 0,
        text: ".encodeURL()",
        title: "URL-encode the base64",
      },
    });
  }
  return found;
}

function urlEncodedHeader(model: LintModel): Finding[] {
  const found: Finding[] = [];
  for (const part of model.parts) {
    const block = part.blocks[0];
    if (part.kind !== "header" || part.blocks.length !== 1 || !block) continue;
    if (part.skeleton.trim() !== FILLER.repeat(block.span.length)) continue;
    const { calls, index } = lastStep(block.expression);
    const call = calls[index];
    const before = calls[index - 1];
    if (call?.method !== "encodeURL" || before?.method !== "encodeBase64") continue;
    const from = before.span.offset + before.span.length;
    found.push({
      ...at(part, call.span),
      message: "this header's base64 is URL-encoded, which a header does not need: the API compares the base64",
      hint: "leave out .encodeURL() in a header; it belongs in a query parameter",
      fix: {
        offset: from,
        length: call.span.offset + call.span.length - from,
        text: "",
        title: "leave the base64 as it is",
      },
    });
  }
  return found;
}

// ---------------------------------------------------------------------------------------------
// Keys

// Words that name a key, or what follows them as one: whole words of a text (split at what is no
// letter and at a camelCase step), so that data such as "tokenizer" or "monkey" is no key.
const KEY_WORD =
  /^(?:secrets?|priv(?:ate)?|passw(?:or)?d|passphrase|pwd|token|(?:api|private|secret)?key|apisecret|sec|sk)$/;
const PUBLIC_WORD = /^(?:pub(?:lic)?|pk)$/;

/** The words of a text, lower case: `my-secretKey2` is my, secret, key. */
function wordsOf(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter((w) => w !== "");
}

// What every key word holds, to skip splitting text that holds none (most data).
const KEYISH = /sec|priv|pass|pwd|token|key|sk/i;
const PUBLICISH = /pub|pk/i;

const saysKey = (text: string) => KEYISH.test(text) && wordsOf(text).some((w) => KEY_WORD.test(w));
const saysPublic = (text: string) => PUBLICISH.test(text) && wordsOf(text).some((w) => PUBLIC_WORD.test(w));

/** Text that looks like a key: 16 or more letters and digits, both, with at most - _ or base64's + / =. */
function looksLikeKey(value: string): boolean {
  return /^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value);
}

/** A signed literal whose label, the literal before it in its chain, names a key (`"secret="`, then the key). */
function labelled(model: LintModel, i: number): boolean {
  const l = model.literals[i] as LiteralUse;
  const previous = model.literals[i - 1];
  return (
    previous?.use.chain === l.use.chain &&
    previous.use.index === l.use.index - 1 &&
    saysKey(previous.literal.value) &&
    l.literal.value.length >= 8
  );
}

/**
 * Whether a signed literal that nearly is a parameter the URL sends may be a key rather than a
 * mistyped copy of it: it says so (`live-sec-…`), its label does, or the parameter it resembles
 * says it is the public half of a pair (`live-pub-…`).
 */
function mayBeKey(model: LintModel, i: number, sent: string): boolean {
  const l = model.literals[i] as LiteralUse;
  return l.flow.key || saysKey(l.literal.value) || labelled(model, i) || saysPublic(sent);
}

function keyInTemplate(model: LintModel): Finding[] {
  const found: Finding[] = [];
  const nameFor = secretNamer(model);
  const replace = (l: LiteralUse, name: string) => ({
    ...at(l.part, l.literal.span),
    text: `hash.getSecret("${name}")`,
    title: "read the key from a secret instead",
  });
  const hint = (name: string) =>
    `give the host a secret named "${name}" holding this literal's text, and read it with hash.getSecret("${name}"): a template is stored, shown and logged`;
  model.literals.forEach((l, i) => {
    if (l.param?.secret && isDigest(l.use.method)) {
      const name = nameFor(l.literal.value, "key");
      found.push({
        ...at(l.part, l.literal.span),
        message: `the key of ${l.use.call.method}() is written into the template`,
        hint: hint(name),
        fix: replace(l, name),
      });
      return;
    }
    // A literal that is sent is data, unless it also goes into a key: then the key is both written
    // into the template and sent in clear (`k={hash.let("k","…");}` read as a key elsewhere).
    if (!l.flow.signed || (l.flow.sent && !l.flow.key) || l.param?.isName) return;
    const value = l.literal.value;
    const decoded = l.flow.key && (l.use.call.method === "fromHex" || l.use.call.method === "fromBase64");
    // A word such as secret in the literal itself: a key named for what it is (`my-secret-key`), or
    // one that follows its label (`secret=…`); a label alone (`api_key=`) ends in = or :.
    const says = value.length >= 8 && saysKey(value) && /^\S+$/.test(value) && !/[=:]$/.test(value);
    const looks = decoded || looksLikeKey(value) || labelled(model, i) || says;
    if (!looks || (!l.flow.key && sentAnywhere(model, value))) return;
    // A mistyped copy of a parameter the URL sends is SIGNED_PARAMETER_DIFFERS's, unless it may be a key.
    const near = nearParameter(model, value);
    if (near !== undefined && !mayBeKey(model, i, near)) return;
    const name = nameFor(value, l.flow.key ? "key" : "private");
    found.push({
      ...at(l.part, l.literal.span),
      message: l.flow.key
        ? l.flow.sent || sentAnywhere(model, value)
          ? "a key is written into the template, and the request sends it in clear"
          : "a key is written into the template"
        : "a literal that looks like a key is signed, and sent nowhere: it is written into the template",
      hint: hint(name),
      fix: replace(l, name),
    });
  });
  return found;
}

/** A key argument, or fromBase64()'s, whose text is known: a literal, or a secret the host gave lint(). */
interface KnownValue {
  use: CallUse;
  arg: Argument;
  value: string;
  /** How a message names it: "the key", "the secret 'name'". */
  what: string;
  /** A fix that puts the secret's read into `wrap` (`hash.fromHex(…)`), or none for a literal: it would write the key. */
  fix(wrap: (read: string) => string, title: string): Finding["fix"];
}

function knownValues(model: LintModel, uses: readonly { use: CallUse; arg: Argument }[]): KnownValue[] {
  const out: KnownValue[] = [];
  for (const { use, arg } of uses) {
    const name = secretRead(arg);
    const value = arg.type === "String" ? arg.value : name !== undefined ? model.secret(name) : undefined;
    if (value === undefined) continue;
    out.push({
      use,
      arg,
      value,
      what: name === undefined ? "the key" : `the secret ${quoteName(name)}`,
      fix: (wrap, title) =>
        name === undefined
          ? undefined
          : { ...at(use.part, arg.span), text: wrap(textOf(use.part.source, arg.span)), title },
    });
  }
  return out;
}

function keyLooksBinary(model: LintModel): Finding[] {
  return knownValues(model, keyArguments(model)).flatMap(({ use, arg, value, what, fix }) => {
    const form = binaryForm(value);
    if (!form) return [];
    const decode = form === "hex" ? "fromHex" : "fromBase64";
    return {
      ...at(use.part, arg.span),
      message: `${what} of ${use.call.method}() looks like ${form}, and is used as text`,
      hint: `if the API decodes its key from ${form}, use hash.${decode}(…) around it; if it uses the text as it is, leave it`,
      fix: fix((read) => `hash.${decode}(${read})`, `decode the key from ${form}`),
    };
  });
}

const PREFIXES = ["whsec_", "whsec-", "sk_"];

function prefixedSecret(model: LintModel): Finding[] {
  const decoded = model.calls.flatMap((use) => {
    const arg = use.call.args[0];
    return use.call.method === "fromBase64" && arg ? [{ use, arg }] : [];
  });
  return knownValues(model, decoded).flatMap(({ use, arg, value, what, fix }) => {
    const n = PREFIXES.find((p) => value.startsWith(p))?.length;
    if (!n) return [];
    return {
      ...at(use.part, arg.span),
      message: `${what} starts with a prefix of ${n} characters that fromBase64() decodes as if it were data`,
      hint: `take the prefix off first: hash.getSecret("name").substring(${n})`,
      fix: fix((read) => `${read}.substring(${n})`, "decode what follows the prefix"),
    };
  });
}

function keyHasSpace(model: LintModel): Finding[] {
  return knownValues(model, keyArguments(model)).flatMap(({ use, arg, value, what, fix }) =>
    value === value.trim()
      ? []
      : {
          ...at(use.part, arg.span),
          message: `${what} of ${use.call.method}() starts or ends with a space, tab or line break`,
          hint: 'compare its length with the real key\'s (printf %s "$KEY" | wc -c), and set it without the space',
          fix: fix((read) => `${read}.trim()`, "trim the key"),
        },
  );
}

// ---------------------------------------------------------------------------------------------
// What the request already says

/** The literals a signature signs as data (not keys). */
function signedData(model: LintModel): LiteralUse[] {
  return model.literals.filter((l) => l.flow.signed && !l.flow.key && !l.param?.isName);
}

function queryByHand(model: LintModel): Finding[] {
  const url = urlOf(model);
  if (!url) return [];
  const s = url.part.skeleton;
  const ownParams = url.params.filter((p) => !p.text.includes(FILLER) && p.text !== "");
  const query = ownParams.map((p) => p.text).join("&");
  const sorted = (q: string) => q.split("&").sort().join("&");
  const whole = !s.slice(url.queryStart, url.queryEnd).includes(FILLER);
  const found: Finding[] = [];
  for (const l of signedData(model)) {
    const value = l.literal.value;
    let what: "query" | "path" | undefined;
    let order = false;
    if (query && value === query) what = "query";
    else if (query.includes("&") && value.includes("&") && sorted(value) === sorted(query)) {
      what = "query";
      order = true;
    } else if (url.path && url.path.length > 1 && value === url.path) what = "path";
    if (!what) continue;
    const method = what === "query" ? "getRequestQuery" : "getRequestPath";
    // What hash.getRequestQuery() reads is this query only where no block of another part adds to it.
    const exact = model.request && !order && (what === "path" || whole || l.part === url.part);
    found.push({
      ...at(l.part, l.literal.span),
      message: order
        ? "this literal is the request's query with its parameters in another order: the API signs them as sent"
        : `this literal is the request's own ${what}, signed by hand`,
      hint: model.request
        ? `sign hash.${method}() instead: it reads the ${what} as it is sent`
        : `sign the whole request (signRequest(), hash-helper sign), where hash.${method}() reads the ${what} as it is sent`,
      fix: exact
        ? { ...at(l.part, l.literal.span), text: `hash.${method}()`, title: `read the ${what} from the request` }
        : undefined,
    });
  }
  return found;
}

const prefixOf = (value: string) => /^[A-Za-z0-9]{3,}[-_.]/.exec(value)?.[0];

const nearCache = new WeakMap<UrlShape, Map<string, string[]>>();

/**
 * The query parameter a literal nearly is: its value has the literal's length and prefix, and other
 * characters. The parameters are indexed once by length and prefix (the first two values of each,
 * enough to find one that differs from any literal), so a lookup costs the literal's length.
 */
function nearParameter(model: LintModel, value: string): string | undefined {
  const url = urlOf(model);
  const prefix = prefixOf(value);
  if (!url || !prefix || value.length < 8) return undefined;
  let index = nearCache.get(url);
  if (!index) {
    index = new Map();
    for (const p of url.params) {
      const sent = url.part.skeleton.slice(p.valueStart, p.end);
      const own = prefixOf(sent);
      if (own === undefined || sent.includes(FILLER)) continue;
      const id = `${sent.length}:${own}`;
      const list = index.get(id) ?? [];
      if (list.length < 2 && !list.includes(sent)) list.push(sent);
      index.set(id, list);
    }
    nearCache.set(url, index);
  }
  return index.get(`${value.length}:${prefix}`)?.find((sent) => sent !== value);
}

function parameterDiffers(model: LintModel): Finding[] {
  const found: Finding[] = [];
  model.literals.forEach((l, i) => {
    if (!l.flow.signed || l.flow.key || l.param?.isName) return;
    const value = l.literal.value;
    const sent = nearParameter(model, value);
    if (sent === undefined || sentAnywhere(model, value)) return;
    // Replaced by the parameter, a key would give another signature and no error: a fix only
    // where the literal cannot be the key of a public/private pair.
    const key = mayBeKey(model, i, sent);
    found.push({
      ...at(l.part, l.literal.span),
      message: "this literal is signed, and the URL sends a parameter that nearly matches it but differs",
      hint: key
        ? "sign the value as the URL sends it, unless it is a key whose public half the URL sends: then read it with hash.getSecret(…)"
        : "sign the value exactly as the URL sends it",
      fix: key
        ? undefined
        : { ...at(l.part, l.literal.span), text: quoted(sent), title: "sign the value the URL sends" },
    });
  });
  return found;
}

// Names of parameters and headers that carry the time a signature is checked against.
const TIME_PARAM = /^(?:expires?|expiry|expiration|ts|timestamp|time|date|created|oauth_timestamp|x-amz-date)$/i;
const TIME_HEADER = /^(?:date|x-date|x-amz-date|x-timestamp|timestamp)$/i;
// The shapes of a written time, and the block that writes the same one from the clock.
const TIME_FORMS: readonly [RegExp, string | undefined][] = [
  [
    /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    `{hash.getDate("EEE, dd MMM yyyy HH:mm:ss 'GMT'");}`,
  ],
  [/^\d{8}T\d{6}Z$/, `{hash.getDate("yyyyMMdd'T'HHmmss'Z'");}`],
  [/^\d{13}$/, "{hash.getEpochMillis();}"],
  [/^\d{10}$/, undefined],
];

function fixedTime(model: LintModel): Finding[] {
  // What the signatures read of the request, once: a method, or a method and its name argument.
  const signedReads = new Set<string>();
  for (const c of model.calls) {
    if (!c.flow.signed) continue;
    const arg = c.call.args[0];
    signedReads.add(c.call.method);
    if (c.call.method === "getRequestHeader" && arg?.type === "String")
      signedReads.add(`${c.call.method}\u0000${arg.value.toLowerCase()}`);
  }
  const reads = (method: string, name?: string) =>
    signedReads.has(name === undefined ? method : `${method}\u0000${name}`);
  const candidates: {
    part: LintPart;
    name: string;
    start: number;
    value: string;
    form: (typeof TIME_FORMS)[number];
    read: boolean;
  }[] = [];
  const check = (part: LintPart, name: string, start: number, end: number, read: boolean) => {
    const value = part.skeleton.slice(start, end).trim();
    const form = TIME_FORMS.find(([shape]) => shape.test(value));
    if (form) candidates.push({ part, name, start, value, form, read });
  };
  const url = urlOf(model);
  const urlRead = reads("getRequestQuery") || reads("getRequestUrl");
  for (const p of url?.params ?? []) {
    if (url && TIME_PARAM.test(p.name)) check(url.part, p.name, p.valueStart, p.end, urlRead);
  }
  for (const part of model.parts) {
    const name = part.where?.replace(/^header /, "") ?? "";
    if (part.kind !== "header" || !TIME_HEADER.test(name) || part.skeleton.includes(FILLER)) continue;
    check(
      part,
      name,
      0,
      part.source.length,
      reads("getRequestHeader", name.toLowerCase()) || reads("getCanonicalHeaders"),
    );
  }
  // The written times a signed literal holds, searched all at once.
  const inSigned = occurring(
    candidates.filter((c) => !c.read).map((c) => c.value),
    model.literals.filter((l) => l.flow.signed).map((l) => l.literal.value),
  );
  const found: Finding[] = [];
  for (const { part, name, start, value, form, read } of candidates) {
    if (!read && !inSigned.has(value)) continue;
    const offset = part.skeleton.indexOf(value, start);
    // An epoch second is a ts or an expiry: which offset an expiry wants is the API's to say.
    const block =
      form[1] ?? (/^(?:ts|timestamp|time|oauth_timestamp)$/i.test(name) ? "{hash.getExpiryTime(0);}" : undefined);
    found.push({
      part,
      offset,
      length: value.length,
      message: `${quoteName(name)} is written as a fixed time, and signed: the API refuses it once that time is past`,
      hint: "write it as a block that reads the clock, such as {hash.getExpiryTime(300);} or {hash.getDate(…);}, so that every request sends and signs its own",
      fix: block ? { offset, length: value.length, text: block, title: "read the time from the clock" } : undefined,
    });
  }
  return found;
}
