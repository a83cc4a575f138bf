// How both backends read a private key's text: which signature wants which key, PEM armor
// (RFC 7468) and JWK (RFC 7517) recognised, and the refusals, which say what was expected and
// what kind of key was found but never hold any of the key's text. node.ts then hands the key
// to node:crypto; browser.ts reads its DER (der.ts) itself.
import { type SignatureAlgorithm, SigningRefusal } from "./types.ts";

export type KeyFamily = "rsa" | "ec" | "ed25519";

export interface SignatureSpec {
  family: KeyFamily;
  /** The digest the signature is made over (Ed25519 has its own, SHA-512 inside). */
  hash?: "sha1" | "sha256" | "sha512";
  /** RSASSA-PSS: its salt is as long as the digest (RFC 9421 §3.3.1, RFC 7518 §3.5). */
  pssSaltLength?: number;
}

export const signatureSpecs: Readonly<Record<SignatureAlgorithm, SignatureSpec>> = {
  "rsa-sha256": { family: "rsa", hash: "sha256" },
  "rsa-sha1": { family: "rsa", hash: "sha1" },
  "rsa-pss-sha256": { family: "rsa", hash: "sha256", pssSaltLength: 32 },
  "rsa-pss-sha512": { family: "rsa", hash: "sha512", pssSaltLength: 64 },
  "ecdsa-p256-sha256": { family: "ec", hash: "sha256" },
  ed25519: { family: "ed25519" },
};

/**
 * The longest key text read: an 8192-bit RSA key is about 6.5 KB as PEM or JWK. Anything longer
 * is refused before it is parsed, so that reading a key costs little whatever it is given.
 */
export const MAX_KEY_TEXT = 16 * 1024;

/** The largest RSA modulus signed with: 8192 bits sign in tens of milliseconds, 16384 in about half a second. */
export const MAX_RSA_BITS = 8192;

export type Curve = "P-256" | "P-384" | "P-521" | "secp256k1" | "other";

/** What a key is, as far as a message may say: its type and curve, never its value. */
export interface KeyKind {
  type: "rsa" | "rsa-pss" | "ec" | "ed25519" | "ed448" | "x25519" | "x448" | "dsa" | "other";
  /** For an EC key: its curve, by the name JOSE uses. */
  curve?: Curve;
}

export function describeKind(kind: KeyKind): string {
  switch (kind.type) {
    case "rsa":
      return "an RSA private key";
    case "rsa-pss":
      return "an RSA-PSS private key";
    case "ec":
      return kind.curve === undefined || kind.curve === "other"
        ? "an EC private key on another curve than P-256"
        : `a ${kind.curve} EC private key`;
    case "ed25519":
      return "an Ed25519 private key";
    case "ed448":
      return "an Ed448 private key";
    case "x25519":
    case "x448":
      return `an ${kind.type.toUpperCase()} key, which agrees keys and cannot sign`;
    case "dsa":
      return "a DSA private key";
    default:
      return "a private key of another type";
  }
}

const NEEDS: Record<KeyFamily, string> = {
  rsa: "an RSA private key",
  ec: "a P-256 EC private key",
  ed25519: "an Ed25519 private key",
};

const FORMATS: Record<KeyFamily, string> = {
  rsa:
    'give the RSA private key as PEM ("-----BEGIN PRIVATE KEY-----", PKCS#8, or "-----BEGIN RSA PRIVATE KEY-----", ' +
    'PKCS#1) or as a JWK with "kty": "RSA" and n, e, d, p, q, dp, dq and qi, normally through hash.getSecret("name")',
  ec:
    'give the P-256 private key as PEM ("-----BEGIN PRIVATE KEY-----", PKCS#8, or "-----BEGIN EC PRIVATE KEY-----", ' +
    'SEC1) or as a JWK with "kty": "EC", "crv": "P-256" and d, x and y, normally through hash.getSecret("name")',
  ed25519:
    'give the Ed25519 private key as PEM ("-----BEGIN PRIVATE KEY-----", PKCS#8) or as a JWK with "kty": "OKP", ' +
    '"crv": "Ed25519" and d and x, normally through hash.getSecret("name")',
};

/** A refusal of the key: what is wrong with it (no part of it), then what this signature needs. */
export function invalidKey(spec: SignatureSpec, problem: string, hint?: string): SigningRefusal {
  return new SigningRefusal(
    "INVALID_KEY",
    `${problem}; this signature needs ${NEEDS[spec.family]}`,
    hint ?? FORMATS[spec.family],
  );
}

/** Refuses a key of a kind this signature cannot use, and an RSA key past MAX_RSA_BITS. */
export function checkKind(spec: SignatureSpec, kind: KeyKind, rsaBits?: number): void {
  const fits =
    spec.family === "rsa"
      ? kind.type === "rsa" || (kind.type === "rsa-pss" && spec.pssSaltLength !== undefined)
      : spec.family === "ec"
        ? kind.type === "ec" && kind.curve === "P-256"
        : kind.type === "ed25519";
  if (kind.type === "rsa-pss" && !fits) {
    throw invalidKey(
      spec,
      "the key is an RSA-PSS private key, which makes only PSS signatures",
      "its algorithm (id-RSASSA-PSS) limits it to PSS; a PKCS#1 v1.5 signature needs an RSA key whose algorithm " +
        "is rsaEncryption (openssl genpkey -algorithm RSA makes one), as PEM or JWK",
    );
  }
  if (!fits) throw invalidKey(spec, `the key is ${describeKind(kind)}`);
  if (rsaBits !== undefined && rsaBits > MAX_RSA_BITS) {
    throw invalidKey(
      spec,
      `the key is an RSA key longer than ${MAX_RSA_BITS} bits`,
      `use an RSA key of at most ${MAX_RSA_BITS} bits`,
    );
  }
}

/** A private key's text, recognised: a PEM block's DER and what its label says, or a JWK. */
export type KeyText =
  | { format: "pkcs8" | "pkcs1" | "sec1"; der: Uint8Array }
  | { format: "jwk"; jwk: Readonly<Record<string, unknown>> };

const PRIVATE_LABELS: Record<string, "pkcs8" | "pkcs1" | "sec1"> = {
  "PRIVATE KEY": "pkcs8",
  "RSA PRIVATE KEY": "pkcs1",
  "EC PRIVATE KEY": "sec1",
};

const PUBLIC_LABELS = new Set(["PUBLIC KEY", "RSA PUBLIC KEY", "EC PUBLIC KEY"]);
const CERTIFICATE_LABELS = new Set(["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE", "CERTIFICATE REQUEST"]);

const BEGIN = "-----BEGIN ";
const DASHES = "-----";

/**
 * Finds the one private key in a key's text: a PEM block (text around the blocks is allowed, as
 * RFC 7468 §2 asks, and `openssl ecparam -genkey`'s EC PARAMETERS block is passed over), or a
 * JWK. Anything else, several keys, public keys, certificates and encrypted keys are refused.
 */
export function readKeyText(spec: SignatureSpec, text: string): KeyText {
  if (text.length > MAX_KEY_TEXT) {
    throw invalidKey(spec, `the key is longer than any private key read here (${MAX_KEY_TEXT / 1024} KiB)`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return { format: "jwk", jwk: readJwk(spec, trimmed) };
  if (!text.includes(BEGIN)) {
    throw invalidKey(spec, "the key is neither a PEM private key nor a JWK");
  }
  if (!/[\r\n]/.test(trimmed) && trimmed.includes("\\n")) {
    throw invalidKey(
      spec,
      "the key holds the two characters \\n where its PEM line breaks belong",
      "store the key with real line breaks (a JSON file or .env value that escapes them must be decoded first)",
    );
  }
  const found: { format: "pkcs8" | "pkcs1" | "sec1"; body: string }[] = [];
  let at = 0;
  for (let begin = text.indexOf(BEGIN); begin >= 0; begin = text.indexOf(BEGIN, at)) {
    const labelEnd = text.indexOf(DASHES, begin + BEGIN.length);
    const label = labelEnd < 0 ? "" : text.slice(begin + BEGIN.length, labelEnd);
    const endLine = `-----END ${label}${DASHES}`;
    const end = labelEnd < 0 || !/^[A-Z0-9 ]{1,40}$/.test(label) ? -1 : text.indexOf("-----END ", labelEnd);
    if (end < 0 || !text.startsWith(endLine, end)) {
      throw invalidKey(spec, "the key's PEM armor is broken (a BEGIN line without its matching END line)");
    }
    at = end + endLine.length;
    const body = text.slice(labelEnd + DASHES.length, end);
    if (label === "EC PARAMETERS") continue;
    const format = Object.hasOwn(PRIVATE_LABELS, label) ? PRIVATE_LABELS[label] : undefined;
    if (format !== undefined) {
      found.push({ format, body });
      continue;
    }
    if (label === "ENCRYPTED PRIVATE KEY") throw encrypted(spec);
    if (PUBLIC_LABELS.has(label)) throw publicKey(spec);
    if (CERTIFICATE_LABELS.has(label)) {
      throw invalidKey(spec, "the key is a certificate, which holds only a public key", pairHint(spec));
    }
    if (label === "OPENSSH PRIVATE KEY") {
      throw invalidKey(
        spec,
        "the key is in OpenSSH's own format, which is not read here",
        `convert it to PKCS#8 PEM first (ssh-keygen -p -m PKCS8 -f FILE rewrites the file in place); ${FORMATS[spec.family]}`,
      );
    }
    throw invalidKey(spec, "the key's PEM block is of a kind that holds no private key read here");
  }
  const [only, ...more] = found;
  if (only === undefined) throw invalidKey(spec, "the key's PEM text holds no private key");
  if (more.length > 0) throw invalidKey(spec, "the key's text holds several private keys", "give one key alone");
  // RFC 1421 headers (Proc-Type: 4,ENCRYPTED, DEK-Info) are how OpenSSL encrypts a PKCS#1 or SEC1 key.
  if (only.body.includes(":")) throw encrypted(spec);
  const base64 = only.body.replace(/[ \t\r\n]+/g, "");
  if (base64.length === 0 || base64.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw invalidKey(spec, "the key's PEM body is not base64");
  }
  return { format: only.format, der: decodeBase64(base64) };
}

function readJwk(spec: SignatureSpec, text: string): Readonly<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's own message quotes the text around the error: it is never passed on.
    throw invalidKey(spec, "the key starts like a JWK but is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidKey(spec, "the key starts like a JWK but is not a JSON object");
  }
  const jwk = value as Record<string, unknown>;
  if (Array.isArray(jwk.keys) && !Object.hasOwn(jwk, "kty")) {
    throw invalidKey(spec, "the key is a JWK Set", "give one of its keys, the private JWK itself");
  }
  if (typeof jwk.kty !== "string") throw invalidKey(spec, 'the key is a JSON object without a "kty" member');
  if (jwk.kty === "oct") throw invalidKey(spec, 'the key is a symmetric JWK ("kty": "oct"), a secret for an HMAC');
  if (!Object.hasOwn(jwk, "d")) throw publicKey(spec);
  const kind = jwkKind(jwk);
  checkKind(spec, kind);
  return jwk;
}

/** What a JWK's "kty" and "crv" say it is (RFC 7518 §6, RFC 8037 §2). */
export function jwkKind(jwk: Readonly<Record<string, unknown>>): KeyKind {
  if (jwk.kty === "RSA") return { type: "rsa" };
  if (jwk.kty === "EC") {
    const curve = jwk.crv === "P-256" || jwk.crv === "P-384" || jwk.crv === "P-521" || jwk.crv === "secp256k1";
    return { type: "ec", curve: curve ? (jwk.crv as Curve) : "other" };
  }
  if (jwk.kty === "OKP") {
    const types = { Ed25519: "ed25519", Ed448: "ed448", X25519: "x25519", X448: "x448" } as const;
    const crv = typeof jwk.crv === "string" && Object.hasOwn(types, jwk.crv) ? jwk.crv : undefined;
    return { type: crv === undefined ? "other" : types[crv as keyof typeof types] };
  }
  return { type: "other" };
}

function publicKey(spec: SignatureSpec): SigningRefusal {
  return invalidKey(spec, "the key is a public key", pairHint(spec));
}

function pairHint(spec: SignatureSpec): string {
  return `signing needs the private key that pairs with it: ${FORMATS[spec.family]}`;
}

function encrypted(spec: SignatureSpec): SigningRefusal {
  return invalidKey(
    spec,
    "the key is encrypted with a passphrase",
    "decrypt it first (openssl pkey -in KEY.pem -out PLAIN.pem asks for the passphrase and writes it unencrypted), " +
      "and keep the result as a secret",
  );
}

/** Standard base64, already checked to be well formed. */
export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
