// The reference model of src/language/methods/signatures.ts, from docs/methods.md and
// docs/errors.md (INVALID_KEY): node:crypto reads the key, as PEM or as a JWK in JSON, and a key
// it cannot read as a private key of the method's type is refused. Nothing of src/ but types.
import { Buffer } from "node:buffer";
import { constants, createPrivateKey, type JsonWebKey, type KeyObject, sign } from "node:crypto";
import { bytes, type ExampleContext, type ExampleResult, type ModelMethod, Refusal, type Value } from "./core.ts";

/** The documented limits: key text of at most 16 KiB, RSA keys of at most 8192 bits. */
const MAX_KEY_TEXT = 16 * 1024;
const MAX_RSA_BITS = 8192;

/** The private key node:crypto reads from the text, or undefined. */
function readKey(text: string): KeyObject | undefined {
  if (text.length > MAX_KEY_TEXT) return undefined;
  try {
    return text.trim().startsWith("{")
      ? createPrivateKey({ key: JSON.parse(text) as JsonWebKey, format: "jwk" })
      : createPrivateKey(text);
  } catch {
    return undefined;
  }
}

const isRsa = (k: KeyObject) =>
  k.asymmetricKeyType === "rsa" && (k.asymmetricKeyDetails?.modulusLength ?? 0) <= MAX_RSA_BITS;
// An RSA-PSS key (id-RSASSA-PSS) makes PSS signatures only; this model has no restricted one.
const isRsaForPss = (k: KeyObject) =>
  (k.asymmetricKeyType === "rsa" || k.asymmetricKeyType === "rsa-pss") &&
  (k.asymmetricKeyDetails?.modulusLength ?? 0) <= MAX_RSA_BITS;
// SEC 2 §2.4.2: a P-256 private value lies in [1, n - 1].
const P256_ORDER = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
const isP256 = (k: KeyObject) => {
  if (k.asymmetricKeyType !== "ec" || k.asymmetricKeyDetails?.namedCurve !== "prime256v1") return false;
  const d = BigInt(`0x${Buffer.from(k.export({ format: "jwk" }).d ?? "", "base64url").toString("hex") || "0"}`);
  return d > 0n && d < P256_ORDER;
};
const isEd25519 = (k: KeyObject) => k.asymmetricKeyType === "ed25519";

interface Scheme {
  fits: (k: KeyObject) => boolean;
  sign: (k: KeyObject, data: Buffer) => Buffer;
  /** Whether the same key and data always give the same signature. */
  deterministic: boolean;
}

const pss = (hash: string, saltLength: number): Scheme => ({
  fits: isRsaForPss,
  sign: (key, data) => sign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }),
  deterministic: false,
});

/** Each method's scheme: RFC 8017 §8.2 and §8.1, ECDSA as r‖s (RFC 7518 §3.4), RFC 8032 §5.1. */
export const signatureSchemes: Readonly<Record<string, Scheme>> = {
  encodeRsaSha256: { fits: isRsa, sign: (key, data) => sign("sha256", data, key), deterministic: true },
  encodeRsaSha1: { fits: isRsa, sign: (key, data) => sign("sha1", data, key), deterministic: true },
  encodeRsaPssSha256: pss("sha256", 32),
  encodeRsaPssSha512: pss("sha512", 64),
  encodeEcdsaP256Sha256: {
    fits: isP256,
    sign: (key, data) => sign("sha256", data, { key, dsaEncoding: "ieee-p1363" }),
    deterministic: false,
  },
  encodeEd25519: { fits: isEd25519, sign: (key, data) => sign(null, data, key), deterministic: true },
};

/** The signature of `input` with `key`, or INVALID_KEY for a key of another kind or none at all. */
function signWith(scheme: Scheme, key: string, input: Value): Buffer {
  const k = readKey(key);
  if (k === undefined || !scheme.fits(k)) throw new Refusal("INVALID_KEY");
  return scheme.sign(k, bytes(input));
}

export const signatureModels: Readonly<Record<string, ModelMethod>> = Object.fromEntries(
  Object.entries(signatureSchemes).map(([name, scheme]): [string, ModelMethod] => [
    name,
    { gives: "bytes", run: (input, [key]) => signWith(scheme, key as string, input) },
  ]),
);

/** Each method's example: the secret it reads, the text it signs and how it writes the signature. */
const examples: Record<string, { secret: string; data: string; encoding: "base64" | "base64url" }> = {
  encodeRsaSha256: { secret: "rsa_key", data: "header.payload", encoding: "base64url" },
  encodeRsaSha1: { secret: "rsa_key", data: "POST&https%3A%2F%2Fapi.example.com%2F&a%3D1", encoding: "base64" },
  encodeRsaPssSha256: { secret: "rsa_key", data: "header.payload", encoding: "base64url" },
  encodeRsaPssSha512: { secret: "rsa_key", data: "signature base", encoding: "base64" },
  encodeEcdsaP256Sha256: { secret: "ec_key", data: "header.payload", encoding: "base64url" },
  encodeEd25519: { secret: "ed25519_key", data: "timestamp.body", encoding: "base64" },
};

/**
 * What each example gives with the context's secrets: MISSING_SECRET without one, INVALID_KEY
 * for one that is not a key of the method's type (as `secret: () => "k"` gives), else the
 * signature, worked out with node:crypto. A randomized signature (PSS, ECDSA) cannot be worked
 * out: a context that gives a real key to one of those is a mistake of the test, said so.
 */
export function signatureExamples(c: ExampleContext): Record<string, ExampleResult> {
  return Object.fromEntries(
    Object.entries(examples).map(([name, { secret, data, encoding }]): [string, ExampleResult] => {
      const key = c.secret(secret);
      if (key === undefined) return [name, { code: "MISSING_SECRET" }];
      const scheme = signatureSchemes[name] as Scheme;
      try {
        const signature = signWith(scheme, key, data);
        if (!scheme.deterministic) {
          throw new Error(`${name}() signs differently each time: its example cannot be worked out, only verified`);
        }
        return [name, signature.toString(encoding)];
      } catch (e) {
        if (e instanceof Refusal) return [name, { code: e.code }];
        throw e;
      }
    }),
  );
}
