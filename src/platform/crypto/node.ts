// On Node, node:crypto (OpenSSL) is the fastest correct implementation there is. Text goes to it
// as a string: it encodes UTF-8 natively, faster than a TextEncoder round trip.
import { Buffer } from "node:buffer";
import type { JsonWebKey, KeyObject } from "node:crypto";
import { checkSequence } from "./der.ts";
import {
  type Curve,
  checkKind,
  invalidKey,
  type KeyKind,
  readKeyText,
  type SignatureSpec,
  signatureSpecs,
} from "./keys.ts";
import type { Algorithm, CryptoBackend, Data, Encoding, SignatureAlgorithm } from "./types.ts";

// Fetched on first use rather than imported: loading node:crypto is about 5 ms of start-up,
// which a program that imports hash-helper and signs nothing yet should not pay.
let crypto: typeof import("node:crypto") | undefined;
function lib(): typeof import("node:crypto") {
  crypto ??= process.getBuiltinModule("node:crypto");
  return crypto;
}
const createHash = (algorithm: Algorithm) => lib().createHash(algorithm);
const createHmac = (algorithm: Algorithm, key: Data) => lib().createHmac(algorithm, key);

/**
 * Keys already read, most recently used last. OpenSSL's decoders take 0.5 to 0.7 ms to read a
 * PEM or DER key, more than an RSA-2048 signature and ten times an ECDSA or Ed25519 one, and a
 * template signs with the same key every time it is expanded. The cache is looked up by the
 * SHA-256 of the key's text, so the text itself is not kept; what is kept is the KeyObject, the
 * same secret in OpenSSL's memory, for at most CACHED_KEYS keys, each until it is pushed out.
 */
const cachedKeys = new Map<string, KeyObject>();
const CACHED_KEYS = 8;

const FORMAT_NAMES = { pkcs8: "PKCS#8", pkcs1: "PKCS#1", sec1: "SEC1" } as const;

function privateKey(spec: SignatureSpec, text: string): KeyObject {
  // UTF-16, not UTF-8: two texts that differ only in a lone surrogate must not share an entry.
  const id = createHash("sha256").update(text, "utf16le").digest("base64");
  const cached = cachedKeys.get(id);
  if (cached !== undefined) {
    cachedKeys.delete(id);
    cachedKeys.set(id, cached);
    return cached;
  }
  const read = readKeyText(spec, text);
  let key: KeyObject;
  // node:crypto's messages are not passed on: they are OpenSSL's, and say nothing a user can act on.
  try {
    if (read.format !== "jwk") checkSequence(read.der);
    key =
      read.format === "jwk"
        ? lib().createPrivateKey({ key: read.jwk as JsonWebKey, format: "jwk" })
        : lib().createPrivateKey({
            key: Buffer.from(read.der.buffer, read.der.byteOffset, read.der.byteLength),
            format: "der",
            type: read.format,
          });
  } catch {
    throw invalidKey(
      spec,
      read.format === "jwk"
        ? "the key is not a complete private JWK of its type"
        : `the key's PEM body is not a well-formed ${FORMAT_NAMES[read.format]} private key`,
    );
  }
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") checkScalar(spec, key);
  cachedKeys.set(id, key);
  if (cachedKeys.size > CACHED_KEYS) cachedKeys.delete(cachedKeys.keys().next().value as string);
  return key;
}

/** The order of P-256's group (SEC 2 §2.4.2, FIPS 186-5 §6.3.1.3). */
const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/**
 * OpenSSL signs with a private value of 0 or past the group's order, and what it makes verifies
 * with no key; @noble/curves refuses such a value, and so is it refused here.
 */
function checkScalar(spec: SignatureSpec, key: KeyObject): void {
  const d = Buffer.from(key.export({ format: "jwk" }).d ?? "", "base64url");
  const value = d.length === 0 ? 0n : BigInt(`0x${d.toString("hex")}`);
  if (value === 0n || value >= P256_ORDER)
    throw invalidKey(spec, "the key's private value is out of range for its curve");
}

const CURVES: Record<string, Curve> = {
  prime256v1: "P-256",
  secp384r1: "P-384",
  secp521r1: "P-521",
  secp256k1: "secp256k1",
};
const TYPES = new Set(["rsa", "rsa-pss", "ec", "ed25519", "ed448", "x25519", "x448", "dsa"]);

function kindOf(key: KeyObject): KeyKind {
  const type = key.asymmetricKeyType ?? "other";
  if (type === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? "";
    return { type, curve: (Object.hasOwn(CURVES, curve) ? CURVES[curve] : undefined) ?? "other" };
  }
  return { type: TYPES.has(type) ? (type as KeyKind["type"]) : "other" };
}

/** An RSA-PSS key may be restricted to a hash, an MGF1 hash and a least salt length (RFC 4055 §3.1). */
function checkPssRestrictions(spec: SignatureSpec, key: KeyObject): void {
  const details = key.asymmetricKeyDetails ?? {};
  const restricted =
    (details.hashAlgorithm !== undefined && details.hashAlgorithm !== spec.hash) ||
    (details.mgf1HashAlgorithm !== undefined && details.mgf1HashAlgorithm !== spec.hash) ||
    (details.saltLength !== undefined && details.saltLength > (spec.pssSaltLength ?? 0));
  if (restricted) {
    throw invalidKey(
      spec,
      "the key is an RSA-PSS private key restricted to another hash or a longer salt than this signature's",
      "give an RSA key without such restrictions (algorithm rsaEncryption), as PEM or JWK",
    );
  }
}

function sign(algorithm: SignatureAlgorithm, text: string, data: Data): Uint8Array {
  const spec = signatureSpecs[algorithm];
  const key = privateKey(spec, text);
  const kind = kindOf(key);
  checkKind(spec, kind, key.asymmetricKeyDetails?.modulusLength);
  if (kind.type === "rsa-pss") checkPssRestrictions(spec, key);
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const c = lib();
  try {
    if (spec.family === "ed25519") return c.sign(null, bytes, key);
    if (spec.family === "ec") return c.sign("sha256", bytes, { key, dsaEncoding: "ieee-p1363" });
    if (spec.pssSaltLength === undefined) return c.sign(spec.hash as string, bytes, key);
    return c.sign(spec.hash as string, bytes, {
      key,
      padding: c.constants.RSA_PKCS1_PSS_PADDING,
      saltLength: spec.pssSaltLength,
    });
  } catch {
    // A key that parses but cannot sign: an EC private value of zero, an RSA key whose parts disagree.
    throw invalidKey(spec, "the key's values are not a usable private key");
  }
}

export const backend: CryptoBackend = {
  name: "node:crypto",
  // A Buffer is a Uint8Array: it is returned as it is, not copied.
  digest: (algorithm: Algorithm, data: Data) => createHash(algorithm).update(data).digest(),
  hmac: (algorithm: Algorithm, key: Data, data: Data) => createHmac(algorithm, key).update(data).digest(),
  encoded: (algorithm: Algorithm, key: Data | undefined, data: Data, encoding: Encoding) =>
    (key === undefined ? createHash(algorithm) : createHmac(algorithm, key)).update(data).digest(encoding),
  base64: (data: Data) =>
    (typeof data === "string"
      ? Buffer.from(data, "utf8")
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    ).toString("base64"),
  sign,
};
