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
const MOZ = "http://lsapi.seomoz.com/v1?AccessID=mozscape-b6838361ee&Expires={hash.getExpiryTime(240);}&Signature=";
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
    summary: "A signed time value is sent twice, the second time with another offset: at most one can match.",
    trigger: {
      input: `${API}e={hash.getExpiryTime(60);}&E={hash.getExpiryTime(90);}&s={hash.append(hash.getExpiryTime(60))${SIGN}`,
      at: "getExpiryTime(90)",
    },
    clean: { input: `${API}e={hash.getExpiryTime(60);}&s={hash.append(hash.getExpiryTime(60))${SIGN}` },
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
      "A key written into the template: a literal key argument, or a literal that looks like a key (or follows a word such as secret or key) signed and sent nowhere, as Marvel's private key. Read it with hash.getSecret(name).",
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
      "A signed literal nearly is a parameter the URL sends (same prefix and length), as in Klipfolio's Moz example, which signs another access ID than it sends.",
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
        url: "https://saas.licensespring.com/api/v4/activate_license",
        headers: [
          ["Date", "Tue, 07 Jun 2014 20:51:35 GMT"],
          ["Authorization", `{hash.append(hash.getRequestHeader("Date"))${SIGN}`],
        ],
      },
      at: "Tue, 07 Jun 2014 20:51:35 GMT",
    },
    clean: {
      input: {
        url: "https://saas.licensespring.com/api/v4/activate_license",
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

/** A name for a secret the template should read, from the API's host (`gateway.marvel.com`: marvel). */
function secretName(model: LintModel, what: string): string {
  const url = model.parts.find((p) => p.kind === "url" || p.kind === "template");
  const host = url ? urlShape(url).host.toLowerCase() : "";
  const labels = host.split(":")[0]?.split(".") ?? [];
  const label = labels.length >= 2 ? labels[labels.length - 2] : labels[0];
  return `${label && /^[a-z][a-z0-9]{0,30}$/.test(label) ? label : "api"}_${what}`;
}

/** The URL of what is linted: a request's URL part, or a template. */
function urlOf(model: LintModel): UrlShape | undefined {
  const part = model.parts.find((p) => p.kind === "url" || p.kind === "template");
  return part ? urlShape(part) : undefined;
}

/** Whether `value` is sent as it is: in the text of a part, or as a literal that is sent. */
function sentAnywhere(model: LintModel, value: string): boolean {
  if (value.length >= 4 && model.parts.some((p) => p.skeleton.includes(value))) return true;
  return model.literals.some((l) => l.literal.value === value && l.flow.sent && !l.flow.signed);
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
  const signedKeys = new Set(signed.map(key));
  const standaloneKeys = new Set(sent.filter((t) => t.standalone).map(key));
  // By identity, the reads sent as a whole value with an offset nothing signs.
  const unsigned = new Map<string, ClockRead[]>();
  for (const t of sent) {
    if (!t.standalone || signedKeys.has(key(t))) continue;
    unsigned.set(t.identity, [...(unsigned.get(t.identity) ?? []), t]);
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
      for (const t of others) {
        const param = paramName(t);
        push(found.differ, {
          ...at(t.part, t.call.span),
          message: `${param ? `the parameter ${quoteName(param)}` : "this block"} sends ${name} with another offset than the signature signs`,
          hint: letHint(param && /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(param) ? param : "ts"),
          fix: fixFrom(s, t),
        });
      }
    } else if (standaloneKeys.has(key(s))) {
      for (const t of others) {
        push(found.twice, {
          ...at(t.part, t.call.span),
          message: `the signed ${name} is sent twice, here with another offset`,
          hint: "send the value once, or with the same offset in both places",
          fix: fixFrom(s, t),
        });
      }
    }
  }
  clockCache.set(model, found);
  return found;
}

/** The name of the query parameter, or header, whose value a read is in. */
function paramName(read: ClockRead): string | undefined {
  if (read.part.kind === "header") return read.part.where?.replace(/^header /, "");
  if (read.part.kind === "body") return undefined;
  const param = urlShape(read.part).params.find(
    (p) => p.valueStart <= read.call.span.offset && read.call.span.offset < p.end,
  );
  return param && !param.name.includes(FILLER) ? param.name : undefined;
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
    if (!url.params.some((p) => p.valueStart <= offset && offset < p.end)) continue;
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

// Words that name what follows them as a key.
const KEY_WORD = /secret|private|passw|api[-_]?key|token|(?:^|[^a-z])key/i;

/** Text that looks like a key: 16 or more letters and digits, both, with at most - _ or base64's + / =. */
function looksLikeKey(value: string): boolean {
  return /^[A-Za-z0-9+/_-]{16,}={0,2}$/.test(value) && /[0-9]/.test(value) && /[A-Za-z]/.test(value);
}

function keyInTemplate(model: LintModel): Finding[] {
  const found: Finding[] = [];
  const replace = (l: LiteralUse, name: string) => ({
    ...at(l.part, l.literal.span),
    text: `hash.getSecret("${name}")`,
    title: "read the key from a secret instead",
  });
  const hint = (name: string) =>
    `give the key to the host as a secret and read it with hash.getSecret("${name}"): a template is stored, shown and logged`;
  model.literals.forEach((l, i) => {
    if (l.param?.secret && isDigest(l.use.method)) {
      const name = secretName(model, "key");
      found.push({
        ...at(l.part, l.literal.span),
        message: `the key of ${l.use.call.method}() is written into the template`,
        hint: hint(name),
        fix: replace(l, name),
      });
      return;
    }
    if (!l.flow.signed || l.flow.sent || l.param?.isName) return;
    const value = l.literal.value;
    const decoded = l.flow.key && (l.use.call.method === "fromHex" || l.use.call.method === "fromBase64");
    const previous = model.literals[i - 1];
    const named =
      previous?.use.chain === l.use.chain &&
      previous.use.index === l.use.index - 1 &&
      KEY_WORD.test(previous.literal.value) &&
      value.length >= 8;
    // A word such as secret in the literal itself: a key named for what it is (`my-secret-key`), or
    // one that follows its label (`secret=…`); a label alone (`api_key=`) ends in = or :.
    const says = value.length >= 8 && KEY_WORD.test(value) && /^\S+$/.test(value) && !/[=:]$/.test(value);
    const looks = decoded || looksLikeKey(value) || named || says;
    if (!looks || sentAnywhere(model, value) || nearParameter(model, value)) return;
    const name = secretName(model, l.flow.key ? "key" : "private");
    found.push({
      ...at(l.part, l.literal.span),
      message: l.flow.key
        ? "a key is written into the template"
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

/** The query parameter a literal nearly is: its value has the literal's length and prefix, and other characters. */
function nearParameter(model: LintModel, value: string): string | undefined {
  const url = urlOf(model);
  const prefix = /^[A-Za-z0-9]{3,}[-_.]/.exec(value)?.[0];
  if (!url || !prefix || value.length < 8) return undefined;
  for (const p of url.params) {
    const sent = url.part.skeleton.slice(p.valueStart, p.end);
    if (sent.length === value.length && sent !== value && sent.startsWith(prefix) && !sent.includes(FILLER))
      return sent;
  }
  return undefined;
}

function parameterDiffers(model: LintModel): Finding[] {
  const found: Finding[] = [];
  for (const l of signedData(model)) {
    const value = l.literal.value;
    if (sentAnywhere(model, value)) continue;
    const sent = nearParameter(model, value);
    if (sent === undefined) continue;
    found.push({
      ...at(l.part, l.literal.span),
      message: "this literal is signed, and the URL sends a parameter that nearly matches it but differs",
      hint: "sign the value exactly as the URL sends it",
      fix: { ...at(l.part, l.literal.span), text: quoted(sent), title: "sign the value the URL sends" },
    });
  }
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
  const signed = model.calls.filter((c) => c.flow.signed);
  const reads = (method: string, name?: string) =>
    signed.some((c) => {
      const arg = c.call.args[0];
      return (
        c.call.method === method && (name === undefined || (arg?.type === "String" && arg.value.toLowerCase() === name))
      );
    });
  const signedText = (value: string) => model.literals.some((l) => l.flow.signed && l.literal.value.includes(value));
  const found: Finding[] = [];
  const check = (part: LintPart, name: string, start: number, end: number, read: boolean) => {
    const value = part.skeleton.slice(start, end).trim();
    const form = TIME_FORMS.find(([shape]) => shape.test(value));
    if (!form || !(read || signedText(value))) return;
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
  return found;
}
