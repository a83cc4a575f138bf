// Public-key signatures: RSA (PKCS#1 v1.5 and PSS), ECDSA P-256 and Ed25519, keyed by a private key.
import { backend } from "#crypto";
import { type SignatureAlgorithm, SigningRefusal } from "../../platform/crypto/types.ts";
import { type Method, MethodFailure, type Param, TEXT_OR_BYTES } from "../method.ts";

/** A private key as PEM or JWK text: a key, so masked everywhere and never quoted. */
const KEY: Param = { name: "key", accepts: ["text"], secret: true };

/**
 * What a signature counts against maxExpansionSize: 256 KiB, so that an expansion (a whole signed
 * request) makes at most 64 of them by default. An RSA signature with an 8192-bit key takes some
 * 50 ms; without a bound, a 64 KiB template could ask for two thousand.
 */
export const SIGNATURE_COST = 256 * 1024;

const signature = (
  algorithm: SignatureAlgorithm,
): Pick<Method, "params" | "input" | "output" | "reveals" | "run" | "cost"> => ({
  params: [KEY],
  cost: SIGNATURE_COST,
  input: TEXT_OR_BYTES,
  output: "bytes",
  reveals: false,
  run: (input, [key]) => {
    try {
      return backend.sign(algorithm, key as string, input);
    } catch (e) {
      if (e instanceof SigningRefusal) throw new MethodFailure(e.code, e.message, e.hint);
      throw e;
    }
  },
});

export const signatureMethods: readonly Method[] = [
  {
    name: "encodeRsaSha256",
    summary:
      "RSASSA-PKCS1-v1_5 SHA-256 signature (JWS RS256) of the value with an RSA private key, PEM or JWK; text is signed as UTF-8.",
    example: `hash.append("header.payload").encodeRsaSha256(hash.getSecret("rsa_key")).encodeBase64Url()`,
    ...signature("rsa-sha256"),
  },
  {
    name: "encodeRsaSha1",
    summary:
      "RSASSA-PKCS1-v1_5 SHA-1 signature (OAuth 1.0a RSA-SHA1) of the value with an RSA private key, PEM or JWK.",
    example: `hash.append("POST&https%3A%2F%2Fapi.example.com%2F&a%3D1").encodeRsaSha1(hash.getSecret("rsa_key")).encodeBase64()`,
    ...signature("rsa-sha1"),
  },
  {
    name: "encodeRsaPssSha256",
    summary:
      "RSASSA-PSS signature, SHA-256 with MGF1-SHA-256 and a 32-byte salt (JWS PS256), with an RSA private key; randomized.",
    example: `hash.append("header.payload").encodeRsaPssSha256(hash.getSecret("rsa_key")).encodeBase64Url()`,
    ...signature("rsa-pss-sha256"),
  },
  {
    name: "encodeRsaPssSha512",
    summary:
      "RSASSA-PSS signature, SHA-512 with MGF1-SHA-512 and a 64-byte salt (RFC 9421 rsa-pss-sha512), with an RSA private key; randomized.",
    example: `hash.append("signature base").encodeRsaPssSha512(hash.getSecret("rsa_key")).encodeBase64()`,
    ...signature("rsa-pss-sha512"),
  },
  {
    name: "encodeEcdsaP256Sha256",
    summary:
      "ECDSA P-256 SHA-256 signature as 64 bytes r‖s (JWS ES256, RFC 9421 ecdsa-p256-sha256) with a P-256 private key; randomized on Node.",
    example: `hash.append("header.payload").encodeEcdsaP256Sha256(hash.getSecret("ec_key")).encodeBase64Url()`,
    ...signature("ecdsa-p256-sha256"),
  },
  {
    name: "encodeEd25519",
    summary:
      "Ed25519 signature, 64 bytes (RFC 8032; JWS EdDSA, RFC 9421 ed25519), of the value with an Ed25519 private key, PEM or JWK.",
    example: `hash.append("timestamp.body").encodeEd25519(hash.getSecret("ed25519_key")).encodeBase64()`,
    ...signature("ed25519"),
  },
];
