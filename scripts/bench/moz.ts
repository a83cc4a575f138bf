// The Moz signature, the benchmarks' reference workload, and the same URL built by other means:
// by hand with node:crypto (the physical limit on Node) and by Nunjucks, LiquidJS, Handlebars and
// Eta templates.
import { createHmac } from "node:crypto";
import { Eta } from "eta";
import Handlebars from "handlebars";
import { Liquid } from "liquidjs";
import nunjucks from "nunjucks";

export const accessId = "mozscape-b6838361ee";
export const key = "0123456789abcdef0123456789abcdef";
const head = "https://lsapi.seomoz.com/linkscape/url-metrics/moz.com%2fblog?Cols=4&AccessID=";

/** The Moz template of the README's quick start: Klipfolio's example, over https, signing the access ID it sends. */
export const moz = `${head}${accessId}&Expires={hash.getExpiryTime(240);}&Signature={hash.append("${accessId}").appendNewLine().append(hash.getExpiryTime(240)).encodeHmacSha1("${key}").encodeBase64().encodeURL().printDigest();}`;

/** The Signature block's expression, bare, as `hash-helper eval` takes it. */
export const signatureExpression = `hash.append("${accessId}").appendNewLine().append(hash.getExpiryTime(240)).encodeHmacSha1("${key}").encodeBase64().encodeURL().printDigest()`;

let serial = 0;
/**
 * An access ID no template of this process has had before, as long as the real one, so that no
 * cache of templates, blocks or expressions can answer for a template built with it.
 */
export function freshId(): string {
  serial++;
  return `mozscape-${serial.toString(16).padStart(10, "0")}`;
}

/** The Moz template with another access ID, in the text and in the signed value. */
export const mozWithId = (id: string): string => moz.replaceAll(accessId, id);

/** The signature expression with another access ID. */
export const expressionWithId = (id: string): string => signatureExpression.replaceAll(accessId, id);

/** RFC 3986 §2.3: everything but the unreserved characters is percent-encoded, hex in uppercase. */
const SUB_DELIMS = /[!'()*]/;
export const rfc3986 = (text: string): string => {
  const encoded = encodeURIComponent(text);
  // Tested before replacing, as a careful hand would: most values have none of !'()*.
  return SUB_DELIMS.test(encoded)
    ? encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    : encoded;
};

/** getExpiryTime(240): epoch seconds of now + 240 s. */
export const expiresAt = (nowMs: number): number => Math.floor(nowMs / 1000) + 240;

/** The signature alone: base64 HMAC-SHA1 of `id\nexpires`, percent-encoded. */
export function handSignature(nowMs: number): string {
  const mac = createHmac("sha1", key)
    .update(`${accessId}\n${expiresAt(nowMs)}`)
    .digest("base64");
  return rfc3986(mac);
}

/** The whole Moz URL, written by hand with node:crypto. */
export function handWritten(nowMs: number, id = accessId): string {
  const expires = String(expiresAt(nowMs));
  const mac = createHmac("sha1", key).update(`${id}\n${expires}`).digest("base64");
  return `${head}${id}&Expires=${expires}&Signature=${rfc3986(mac)}`;
}

const keyBytes = Buffer.from(key, "utf8");
/**
 * The same URL by a hand that also holds the key as bytes, made once, as a compiled template
 * holds a literal HMAC key: node:crypto does not encode it again on every call.
 */
export function handWrittenKeyBytes(nowMs: number, id = accessId): string {
  const expires = String(expiresAt(nowMs));
  const mac = createHmac("sha1", keyBytes).update(`${id}\n${expires}`).digest("base64");
  return `${head}${id}&Expires=${expires}&Signature=${rfc3986(mac)}`;
}

/** A `node -e` script that prints the signature with node:crypto, like `hash-helper eval` does. */
export function handSignatureScript(nowMs: number): string {
  return [
    `const c=require("node:crypto");`,
    `const e=Math.floor(${nowMs}/1000)+240;`,
    `const m=c.createHmac("sha1",${JSON.stringify(key)}).update(${JSON.stringify(`${accessId}\n`)}+e).digest("base64");`,
    `process.stdout.write(encodeURIComponent(m).replace(/[!'()*]/g,(x)=>"%"+x.charCodeAt(0).toString(16).toUpperCase())+"\\n");`,
  ].join("");
}

// The filters the other engines need, on node:crypto like ours.
const hmacSha1 = (value: unknown, secret: unknown) => createHmac("sha1", String(secret)).update(String(value)).digest();
const base64 = (value: unknown) => (Buffer.isBuffer(value) ? value : Buffer.from(String(value))).toString("base64");
const urlencode = (value: unknown) => rfc3986(String(value));

/** The Moz URL as a Nunjucks template, compiled once; `render({ now })` gives the same URL. */
export function nunjucksMoz(): (nowMs: number) => string {
  const env = new nunjucks.Environment(null, { autoescape: false });
  env.addFilter("hmacSha1", hmacSha1);
  env.addFilter("base64", base64);
  env.addFilter("urlencode", urlencode);
  const source =
    `${head}${accessId}&Expires={% set expires = (now / 1000) | int + 240 %}{{ expires }}` +
    `&Signature={{ ("${accessId}\\n" + expires) | hmacSha1("${key}") | base64 | urlencode }}`;
  const template = new nunjucks.Template(source, env, undefined, true);
  return (now) => template.render({ now });
}

/** The Moz URL as a LiquidJS template, parsed once; `renderSync` gives the same URL. */
export function liquidMoz(): (nowMs: number) => string {
  const engine = new Liquid();
  engine.registerFilter("hmacSha1", hmacSha1);
  engine.registerFilter("base64", base64);
  engine.registerFilter("urlencode", urlencode);
  const source =
    `${head}${accessId}&Expires={% assign expires = now | divided_by: 1000 | floor | plus: 240 %}{{ expires }}` +
    `&Signature={{ "${accessId}\\n" | append: expires | hmacSha1: "${key}" | base64 | urlencode }}`;
  const template = engine.parse(source);
  return (now) => engine.renderSync(template, { now }) as string;
}

/**
 * The Moz URL as a Handlebars template with helpers, compiled once; gives the same URL.
 * Handlebars compiles a template to JavaScript with `new Function`: fine for a peer in the bench,
 * and the reason it is no option under a strict Content-Security-Policy.
 */
export function handlebarsMoz(): (nowMs: number) => string {
  const env = Handlebars.create();
  const helpers = {
    expires: (now: unknown) => expiresAt(Number(now)),
    // A helper gets Handlebars' options object last; the strings before it are the parts.
    concat: (...parts: unknown[]) => parts.slice(0, -1).join(""),
    hmacSha1,
    base64,
    urlencode,
  };
  env.registerHelper(helpers);
  // `expires now` twice, like the Moz template's two getExpiryTime(240): about 7% faster here than
  // binding it once with {{#with}}. Handlebars string literals have no escapes: the newline is a
  // real one, inside the quotes.
  const source =
    `${head}${accessId}&Expires={{expires now}}` +
    `&Signature={{urlencode (base64 (hmacSha1 (concat "${accessId}\n" (expires now)) "${key}"))}}`;
  const knownHelpers = Object.fromEntries(Object.keys(helpers).map((name) => [name, true]));
  const template = env.compile<{ now: number }>(source, { noEscape: true, knownHelpers, knownHelpersOnly: true });
  // compile() defers the work to the first call: do it here, not in the first timed one.
  template({ now: 0 });
  return (now) => template({ now });
}

/**
 * The Moz URL as an Eta template, compiled once; gives the same URL. Eta templates are JavaScript
 * (compiled with `new Function`), so they call node:crypto themselves: no option for untrusted
 * input, nor under a strict Content-Security-Policy.
 */
export function etaMoz(): (nowMs: number) => string {
  const eta = new Eta({ autoEscape: false });
  const source =
    `${head}${accessId}&Expires=<% const expires = Math.floor(it.now / 1000) + 240 %><%= expires %>` +
    `&Signature=<%= it.rfc3986(it.createHmac("sha1", "${key}").update("${accessId}\\n" + expires).digest("base64")) %>`;
  const template = eta.compile(source);
  return (now) => eta.render(template, { now, createHmac, rfc3986 });
}
