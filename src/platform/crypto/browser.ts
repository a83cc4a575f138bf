// Browsers have WebCrypto, but it is asynchronous and has no MD5, so the synchronous
// evaluator uses @noble/hashes there, and @noble/curves for ECDSA P-256 and Ed25519.
import { ed25519 } from "@noble/curves/ed25519.js";
import { p256 } from "@noble/curves/nist.js";
import { hmac } from "@noble/hashes/hmac.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { bytesOf, toHex } from "../../language/encoding.ts";
import { DerError, type PrivateKey, readEcPrivateKey, readPkcs8 } from "./der.ts";
import { checkKind, decodeBase64, invalidKey, readKeyText, type SignatureSpec, signatureSpecs } from "./keys.ts";
import {
  type Algorithm,
  type CryptoBackend,
  type Data,
  type Encoding,
  type SignatureAlgorithm,
  SigningRefusal,
} from "./types.ts";

const hashes = { md5, sha1, sha256, sha512 } as const;

// String.fromCharCode takes its arguments on the stack; chunks keep a 1 MiB value in bounds.
const CHUNK = 0x8000;

function base64(data: Data): string {
  const bytes = bytesOf(data);
  let binary = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

const digest = (algorithm: Algorithm, data: Data) => hashes[algorithm](bytesOf(data));
const mac = (algorithm: Algorithm, key: Data, data: Data) => hmac(hashes[algorithm], bytesOf(key), bytesOf(data));

const FORMAT_NAMES = { pkcs8: "PKCS#8", pkcs1: "PKCS#1", sec1: "SEC1" } as const;

/** The 32-byte private value of a P-256 or Ed25519 key, from its PEM or JWK. */
function privateValue(spec: SignatureSpec, text: string): Uint8Array {
  const read = readKeyText(spec, text);
  if (read.format === "jwk") return jwkValue(spec, read.jwk);
  let key: PrivateKey;
  try {
    // A PKCS#1 key is RSA by its label: nothing in it needs reading to refuse it.
    key =
      read.format === "pkcs8"
        ? readPkcs8(read.der)
        : read.format === "sec1"
          ? readEcPrivateKey(read.der)
          : { kind: { type: "rsa" } };
  } catch (e) {
    if (!(e instanceof DerError)) throw e;
    throw invalidKey(spec, `the key's PEM body is not a well-formed ${FORMAT_NAMES[read.format]} private key`);
  }
  checkKind(spec, key.kind);
  if (key.secret === undefined) throw invalidKey(spec, "the key holds no private value");
  return key.secret;
}

/** A JWK's d, and that the public members node:crypto requires are there (RFC 7518 §6.2, RFC 8037 §2). */
function jwkValue(spec: SignatureSpec, jwk: Readonly<Record<string, unknown>>): Uint8Array {
  const members = spec.family === "ec" ? ["d", "x", "y"] : ["d", "x"];
  const values = members.map((name) => base64Url(jwk[name]));
  if (values.some((v) => v?.length !== 32)) throw invalidKey(spec, "the key is not a complete private JWK of its type");
  return values[0] as Uint8Array;
}

/** RFC 7515 §2 base64url without padding, or undefined for anything else. */
function base64Url(value: unknown): Uint8Array | undefined {
  if (typeof value !== "string" || value.length % 4 === 1 || !/^[A-Za-z0-9_-]*$/.test(value)) return undefined;
  return decodeBase64(
    value
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(value.length / 4) * 4, "="),
  );
}

function sign(algorithm: SignatureAlgorithm, key: string, data: Data): Uint8Array {
  const spec = signatureSpecs[algorithm];
  // No RSA library is bundled (see docs/errors.md, UNSUPPORTED_IN_BROWSER): the key is not read.
  if (spec.family === "rsa") {
    throw new SigningRefusal(
      "UNSUPPORTED_IN_BROWSER",
      "this is the browser build, and RSA signatures run on Node only",
      "sign this template on Node (the hash-helper CLI, or hash-helper imported on a server), where node:crypto makes RSA signatures",
    );
  }
  const secret = privateValue(spec, key);
  const bytes = bytesOf(data);
  try {
    // ECDSA: SHA-256 of the message, k from RFC 6979, r‖s of 32 bytes each (IEEE P1363).
    return spec.family === "ec" ? p256.sign(bytes, secret) : ed25519.sign(bytes, secret);
  } catch {
    throw invalidKey(spec, "the key's private value is out of range for its curve");
  }
}

export const backend: CryptoBackend = {
  name: "@noble/hashes",
  digest,
  hmac: mac,
  base64,
  encoded: (algorithm: Algorithm, key: Data | undefined, data: Data, encoding: Encoding) => {
    const bytes = key === undefined ? digest(algorithm, data) : mac(algorithm, key, data);
    return encoding === "hex" ? toHex(bytes) : base64(bytes);
  },
  sign,
};
