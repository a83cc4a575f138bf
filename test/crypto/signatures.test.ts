import { Buffer } from "node:buffer";
import {
  constants,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from "node:crypto";
import { readFileSync } from "node:fs";
import { fc, test } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { evaluate, expand } from "../../src/index.ts";
import { backend as browser } from "../../src/platform/crypto/browser.ts";
import { backend as node } from "../../src/platform/crypto/node.ts";
import type { SignatureAlgorithm } from "../../src/platform/crypto/types.ts";
import { SigningRefusal } from "../../src/platform/crypto/types.ts";
import { errorOf } from "../helpers.ts";
import { errorOutputs } from "../masks-arbitraries.ts";
import type { Environment } from "../model/core.ts";
import { signatureModels } from "../model/signatures.ts";

// Public-key signatures against their published vectors: RFC 7515 A.2 (RS256) and RFC 8037 A.4,
// RFC 8032 §7.1 and RFC 9421 B.2.6 (Ed25519) byte for byte; the randomized ones (PSS, ECDSA)
// checked by verifying them with node:crypto and the RFC's public keys, and the RFC's own
// signatures checked the same way, so that a fixture cannot be wrong unnoticed.

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(new URL(`../fixtures/vectors/signatures/${name}`, import.meta.url), "utf8")) as T;

interface JwsVector {
  method: string;
  jwk: JsonWebKey;
  signingInput: string;
  signature: string;
}
const rs256 = fixture<JwsVector>("rfc7515-a2-rs256.json");
const es256 = fixture<JwsVector>("rfc7515-a3-es256.json");
const eddsa = fixture<JwsVector>("rfc8037-a4-ed25519.json");
const test1 = fixture<{ secretKey: string; publicKey: string; message: string; signature: string }>(
  "rfc8032-7.1-test1.json",
);
type Rfc9421Key = "test-key-rsa" | "test-key-rsa-pss" | "test-key-ecc-p256" | "test-key-ed25519";
const rfc9421 = fixture<Record<Rfc9421Key, { private: string; public: string }>>("rfc9421-b1-keys.json");
const rfc9421Cases = fixture<{
  cases: {
    section: string;
    method: string;
    key: Rfc9421Key;
    deterministic: boolean;
    base: string;
    signature: string;
  }[];
}>("rfc9421-b2-signatures.json").cases;

const METHODS: Record<string, SignatureAlgorithm> = {
  encodeRsaSha256: "rsa-sha256",
  encodeRsaSha1: "rsa-sha1",
  encodeRsaPssSha256: "rsa-pss-sha256",
  encodeRsaPssSha512: "rsa-pss-sha512",
  encodeEcdsaP256Sha256: "ecdsa-p256-sha256",
  encodeEd25519: "ed25519",
};
const RSA_METHODS = ["encodeRsaSha256", "encodeRsaSha1", "encodeRsaPssSha256", "encodeRsaPssSha512"];

const jwkText = (jwk: JsonWebKey | Record<string, unknown>) => JSON.stringify(jwk);
const pem = (key: KeyObject, type: "pkcs8" | "pkcs1" | "sec1") => key.export({ type, format: "pem" }) as string;

/** The signature the language makes of `data` (text) with `key`, read by getSecret. */
function signed(method: string, data: string, key: string): Buffer {
  const hex = evaluate(`hash.append(${JSON.stringify(data)}).${method}(hash.getSecret("key")).toHex()`, {
    secrets: { key },
  });
  return Buffer.from(hex, "hex");
}

/** What the browser backend makes, through the same entry as the method table. */
const browserSigned = (method: string, data: string | Uint8Array, key: string) =>
  Buffer.from(browser.sign(METHODS[method] as SignatureAlgorithm, key, data));

/** How node:crypto checks a signature of each method: PSS with its exact salt length, ECDSA as r‖s. */
function verifies(method: string, data: string | Uint8Array, publicKey: KeyObject, signature: Uint8Array): boolean {
  const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  switch (method) {
    case "encodeRsaSha256":
      return verify("sha256", bytes, publicKey, signature);
    case "encodeRsaSha1":
      return verify("sha1", bytes, publicKey, signature);
    case "encodeRsaPssSha256":
      return verify(
        "sha256",
        bytes,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
        signature,
      );
    case "encodeRsaPssSha512":
      return verify(
        "sha512",
        bytes,
        { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 },
        signature,
      );
    case "encodeEcdsaP256Sha256":
      return verify("sha256", bytes, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature);
    default:
      return verify(null, bytes, publicKey, signature);
  }
}

// RFC 8410 §7: PKCS#8 of an Ed25519 key is this prefix (version 0, id-Ed25519, OCTET STRING of
// the 32-byte OCTET STRING) and the seed.
const ed25519Pkcs8 = (seedHex: string) =>
  `-----BEGIN PRIVATE KEY-----\n${Buffer.from(`302e020100300506032b657004220420${seedHex}`, "hex").toString("base64")}\n-----END PRIVATE KEY-----\n`;

describe("published vectors, byte for byte", () => {
  const rsaKey = createPrivateKey({ key: rs256.jwk, format: "jwk" });
  it.each([
    { form: "the RFC's JWK", key: jwkText(rs256.jwk) },
    { form: "PKCS#8 PEM", key: pem(rsaKey, "pkcs8") },
    { form: "PKCS#1 PEM", key: pem(rsaKey, "pkcs1") },
  ])("RFC 7515 A.2 (RS256), the key as $form", ({ key }) => {
    expect(signed("encodeRsaSha256", rs256.signingInput, key).toString("base64url")).toBe(rs256.signature);
  });

  const ed25519Vectors = [
    {
      name: "RFC 8037 A.4, the key as its JWK",
      key: jwkText(eddsa.jwk),
      data: eddsa.signingInput,
      expected: Buffer.from(eddsa.signature, "base64url"),
    },
    {
      name: "RFC 8032 §7.1 TEST 1 (the empty message), the key as PKCS#8",
      key: ed25519Pkcs8(test1.secretKey),
      data: "",
      expected: Buffer.from(test1.signature, "hex"),
    },
    ...rfc9421Cases
      .filter((c) => c.deterministic)
      .map((c) => ({
        name: `RFC 9421 ${c.section}, the key of B.1.4 as PKCS#8`,
        key: rfc9421[c.key].private,
        data: c.base,
        expected: Buffer.from(c.signature, "base64"),
      })),
  ];
  it.each(ed25519Vectors)("Ed25519, $name, on both backends", ({ key, data, expected }) => {
    expect(signed("encodeEd25519", data, key)).toEqual(expected);
    expect(browserSigned("encodeEd25519", data, key)).toEqual(expected);
  });

  it("RFC 8037 A.1's public key is the one of RFC 8032 TEST 1, and verifies A.4", () => {
    expect(Buffer.from(eddsa.jwk.x as string, "base64url").toString("hex")).toBe(test1.publicKey);
    const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: eddsa.jwk.x as string }, format: "jwk" });
    expect(verify(null, Buffer.from(eddsa.signingInput), publicKey, Buffer.from(eddsa.signature, "base64url"))).toBe(
      true,
    );
  });
});

describe("randomized signatures verify with node:crypto and the published public keys", () => {
  const es256Public = createPublicKey({
    key: { kty: "EC", crv: "P-256", x: es256.jwk.x as string, y: es256.jwk.y as string },
    format: "jwk",
  });

  it("RFC 7515 A.3's own ES256 signature verifies (the fixture is right)", () => {
    expect(
      verifies("encodeEcdsaP256Sha256", es256.signingInput, es256Public, Buffer.from(es256.signature, "base64url")),
    ).toBe(true);
  });

  it.each(["node", "browser"])("RFC 7515 A.3 (ES256), signed on the %s backend: 64 bytes r‖s that verify", (which) => {
    const key = jwkText(es256.jwk);
    for (let i = 0; i < 5; i++) {
      const data = `${es256.signingInput}${"x".repeat(i)}`;
      const signature =
        which === "node"
          ? signed("encodeEcdsaP256Sha256", data, key)
          : browserSigned("encodeEcdsaP256Sha256", data, key);
      expect(signature.length).toBe(64);
      expect(verifies("encodeEcdsaP256Sha256", data, es256Public, signature)).toBe(true);
    }
  });

  const randomized = rfc9421Cases.filter((c) => !c.deterministic);
  it.each(randomized)("RFC 9421 $section: the RFC's signature verifies, and so do ours ($method)", (c) => {
    const publicKey = createPublicKey(rfc9421[c.key].public);
    expect(verifies(c.method, c.base, publicKey, Buffer.from(c.signature, "base64"))).toBe(true);
    const ours = signed(c.method, c.base, rfc9421[c.key].private);
    expect(verifies(c.method, c.base, publicKey, ours)).toBe(true);
    // Randomized: two signatures of the same base differ (a PSS salt, an ECDSA nonce).
    expect(signed(c.method, c.base, rfc9421[c.key].private)).not.toEqual(ours);
    if (c.method === "encodeEcdsaP256Sha256") {
      expect(verifies(c.method, c.base, publicKey, browserSigned(c.method, c.base, rfc9421[c.key].private))).toBe(true);
    }
  });

  it.each(RSA_METHODS)("%s with RFC 9421 B.1.1's key (PKCS#1) and RFC 7515 A.2's (JWK) verifies", (method) => {
    for (const [key, publicKey] of [
      [rfc9421["test-key-rsa"].private, createPublicKey(rfc9421["test-key-rsa"].public)],
      [jwkText(rs256.jwk), createPublicKey({ key: rs256.jwk, format: "jwk" })],
    ] as const) {
      expect(verifies(method, "signature base", publicKey, signed(method, "signature base", key))).toBe(true);
    }
  });

  it("PSS salts are exactly as long as the digest (32 and 64 bytes), with MGF1 of the same hash", () => {
    const key = rfc9421["test-key-rsa"].private;
    const publicKey = createPublicKey(rfc9421["test-key-rsa"].public);
    const data = Buffer.from("salted");
    const pss = (hash: string, saltLength: number, signature: Buffer) =>
      verify(hash, data, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
    const s256 = signed("encodeRsaPssSha256", "salted", key);
    const s512 = signed("encodeRsaPssSha512", "salted", key);
    expect([pss("sha256", 32, s256), pss("sha256", 31, s256), pss("sha256", 33, s256)]).toEqual([true, false, false]);
    expect([pss("sha512", 64, s512), pss("sha512", 63, s512), pss("sha512", 32, s512)]).toEqual([true, false, false]);
  });

  it("RFC 9421 B.1.2's RSA-PSS key (id-RSASSA-PSS) makes PSS signatures with either hash", () => {
    const publicKey = createPublicKey(rfc9421["test-key-rsa-pss"].public);
    for (const method of ["encodeRsaPssSha256", "encodeRsaPssSha512"]) {
      expect(verifies(method, "x", publicKey, signed(method, "x", rfc9421["test-key-rsa-pss"].private))).toBe(true);
    }
  });

  it.each([
    ["encodeRsaSha256", "sha256"],
    ["encodeRsaSha1", "sha1"],
  ])("%s is deterministic: node:crypto's own signature, byte for byte", (method, hash) => {
    const key = rfc9421["test-key-rsa"].private;
    const data = "GET&https%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg";
    expect(signed(method, data, key)).toEqual(sign(hash, Buffer.from(data), createPrivateKey(key)));
  });
});

describe("both backends", () => {
  const inputs: (string | Uint8Array)[] = ["", "abc", "naïve ☃ 😀", new Uint8Array(randomBytes(1024))];
  const asBytes = (data: string | Uint8Array) => (typeof data === "string" ? Buffer.from(data, "utf8") : data);

  it("Ed25519 gives identical bytes on node:crypto and @noble/curves, text signed as UTF-8", () => {
    for (let i = 0; i < 4; i++) {
      const { privateKey } = generateKeyPairSync("ed25519");
      for (const key of [pem(privateKey, "pkcs8"), jwkText(privateKey.export({ format: "jwk" }))]) {
        for (const data of inputs) {
          const expected = sign(null, asBytes(data), privateKey);
          expect(Buffer.from(node.sign("ed25519", key, data))).toEqual(expected);
          expect(Buffer.from(browser.sign("ed25519", key, data))).toEqual(expected);
        }
      }
    }
  });

  it("ECDSA P-256 from @noble/curves verifies with node:crypto, the key as PKCS#8, SEC1 or JWK", () => {
    for (let i = 0; i < 4; i++) {
      const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
      for (const key of [
        pem(privateKey, "pkcs8"),
        pem(privateKey, "sec1"),
        jwkText(privateKey.export({ format: "jwk" })),
      ]) {
        for (const data of inputs) {
          for (const backend of [node, browser]) {
            const signature = backend.sign("ecdsa-p256-sha256", key, data);
            expect(signature.length).toBe(64);
            expect(verifies("encodeEcdsaP256Sha256", asBytes(data), publicKey, signature)).toBe(true);
          }
        }
      }
    }
  });

  it.each(RSA_METHODS)("%s is UNSUPPORTED_IN_BROWSER in the browser backend, whatever the key", (method) => {
    for (const key of [rfc9421["test-key-rsa"].private, "not a key"]) {
      const refusal = (() => {
        try {
          browserSigned(method, "x", key);
        } catch (e) {
          return e;
        }
      })() as SigningRefusal;
      expect(refusal).toBeInstanceOf(SigningRefusal);
      expect(refusal.code).toBe("UNSUPPORTED_IN_BROWSER");
      expect(refusal.message).toMatch(/RSA signatures run on Node only/);
    }
  });

  it("node:crypto's RSA signatures are the same from every form of the key", () => {
    const key = createPrivateKey(rfc9421["test-key-rsa"].private);
    const forms = [pem(key, "pkcs1"), pem(key, "pkcs8"), jwkText(key.export({ format: "jwk" }))];
    const signatures = forms.map((form) => Buffer.from(node.sign("rsa-sha256", form, "x")).toString("hex"));
    expect(new Set(signatures).size).toBe(1);
  });
});

describe("the text around and inside a PEM key", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const sec1 = pem(privateKey, "sec1");
  const body = sec1.split("\n").slice(1, -2).join("");
  // openssl ecparam -name prime256v1 -genkey writes the curve's OID (RFC 5480) in a block of its own first.
  const parameters = `-----BEGIN EC PARAMETERS-----\n${Buffer.from("06082a8648ce3d030107", "hex").toString("base64")}\n-----END EC PARAMETERS-----\n`;
  it.each([
    { form: "with CRLF line breaks", key: sec1.replaceAll("\n", "\r\n") },
    { form: "with explanatory text around it (RFC 7468 §2)", key: `Subject: test\n${sec1}trailing words\n` },
    { form: "after openssl ecparam's EC PARAMETERS block", key: parameters + sec1 },
    { form: "with its body on one line", key: `-----BEGIN EC PRIVATE KEY-----\n${body}\n-----END EC PRIVATE KEY-----` },
    { form: "with spaces around it", key: `  \n${sec1}\n  ` },
  ])("is read $form", ({ key }) => {
    for (const backend of [node, browser]) {
      expect(verifies("encodeEcdsaP256Sha256", "x", publicKey, backend.sign("ecdsa-p256-sha256", key, "x"))).toBe(true);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Keys that are refused

const rsa = createPrivateKey(rfc9421["test-key-rsa"].private);
const p256 = createPrivateKey(rfc9421["test-key-ecc-p256"].private);
const ed25519 = createPrivateKey(rfc9421["test-key-ed25519"].private);
const p384 = generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey;
const secp256k1 = generateKeyPairSync("ec", { namedCurve: "secp256k1" }).privateKey;
const x25519 = generateKeyPairSync("x25519").privateKey;
const ed25519Pem = pem(ed25519, "pkcs8");
const ed25519Body = ed25519Pem.split("\n")[1] as string;
const p256Jwk = p256.export({ format: "jwk" });
const encrypted = p256.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pass" }) as string;
const withTrailingBytes = `-----BEGIN PRIVATE KEY-----\n${Buffer.concat([ed25519.export({ type: "pkcs8", format: "der" }), Buffer.from([5, 0])]).toString("base64")}\n-----END PRIVATE KEY-----\n`;
const GARBAGE = "Zq9xK3vW7pL2mN8rTj4Y";

interface Refused {
  name: string;
  key: string;
  methods: string[];
  /** What the message says, and what it says the key is. */
  says: RegExp;
  hint?: RegExp;
  /**
   * Refused here, where node:crypto alone (and so the reference model) reads it: OpenSSL reads
   * past bytes after a key, and takes the first of several keys.
   */
  stricterThanOpenSsl?: true;
}

const everyMethod = Object.keys(METHODS);
const refused: Refused[] = [
  {
    name: "an RSA key for Ed25519",
    key: pem(rsa, "pkcs8"),
    methods: ["encodeEd25519"],
    says: /is an RSA private key; this signature needs an Ed25519 private key/,
    hint: /"crv": "Ed25519"/,
  },
  {
    name: "a PKCS#1 RSA key for ECDSA",
    key: pem(rsa, "pkcs1"),
    methods: ["encodeEcdsaP256Sha256"],
    says: /is an RSA private key; .* needs a P-256 EC private key/,
    hint: /BEGIN EC PRIVATE KEY/,
  },
  {
    name: "an RSA JWK for Ed25519",
    key: jwkText(rsa.export({ format: "jwk" })),
    methods: ["encodeEd25519"],
    says: /is an RSA private key/,
  },
  {
    name: "an Ed25519 key for RSA and ECDSA",
    key: ed25519Pem,
    methods: [...RSA_METHODS, "encodeEcdsaP256Sha256"],
    says: /is an Ed25519 private key/,
  },
  {
    name: "a P-256 key for RSA and Ed25519",
    key: pem(p256, "sec1"),
    methods: [...RSA_METHODS, "encodeEd25519"],
    says: /is a P-256 EC private key/,
  },
  {
    name: "a P-384 key for P-256 (SEC1)",
    key: pem(p384, "sec1"),
    methods: ["encodeEcdsaP256Sha256"],
    says: /is a P-384 EC private key; this signature needs a P-256 EC private key/,
    hint: /"crv": "P-256"/,
  },
  {
    name: "a P-384 key for P-256 (PKCS#8)",
    key: pem(p384, "pkcs8"),
    methods: ["encodeEcdsaP256Sha256"],
    says: /is a P-384 EC private key/,
  },
  {
    name: "a P-384 JWK for P-256",
    key: jwkText(p384.export({ format: "jwk" })),
    methods: ["encodeEcdsaP256Sha256"],
    says: /is a P-384 EC private key/,
  },
  {
    name: "a secp256k1 key for P-256",
    key: pem(secp256k1, "pkcs8"),
    methods: ["encodeEcdsaP256Sha256"],
    says: /is a secp256k1 EC private key/,
  },
  {
    name: "an X25519 key for Ed25519",
    key: pem(x25519, "pkcs8"),
    methods: ["encodeEd25519"],
    says: /X25519 key, which agrees keys and cannot sign/,
  },
  {
    name: "an RSA-PSS key for PKCS#1 v1.5",
    key: rfc9421["test-key-rsa-pss"].private,
    methods: ["encodeRsaSha256", "encodeRsaSha1"],
    says: /RSA-PSS private key, which makes only PSS signatures/,
    hint: /rsaEncryption/,
  },
  {
    name: "a public key (SPKI)",
    key: rfc9421["test-key-ed25519"].public,
    methods: everyMethod,
    says: /is a public key/,
    hint: /private key that pairs with it/,
  },
  { name: "a public key (PKCS#1)", key: rfc9421["test-key-rsa"].public, methods: everyMethod, says: /is a public key/ },
  {
    name: "a public JWK",
    key: jwkText({ kty: "EC", crv: "P-256", x: p256Jwk.x, y: p256Jwk.y }),
    methods: everyMethod,
    says: /is a public key/,
  },
  {
    name: "a certificate",
    key: "-----BEGIN CERTIFICATE-----\nMIIBqDCCAU6gAwIBAgIBBzAK\n-----END CERTIFICATE-----\n",
    methods: everyMethod,
    says: /is a certificate/,
  },
  {
    name: "an encrypted PKCS#8 key",
    key: encrypted,
    methods: everyMethod,
    says: /encrypted with a passphrase/,
    hint: /openssl pkey/,
  },
  {
    name: "an encrypted PKCS#1 key (RFC 1421 headers)",
    key: `-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n${ed25519Body}\n-----END RSA PRIVATE KEY-----\n`,
    methods: ["encodeRsaSha256"],
    says: /encrypted/,
  },
  {
    name: "an OpenSSH key",
    key: "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    methods: everyMethod,
    says: /OpenSSH's own format/,
    hint: /ssh-keygen/,
  },
  { name: "text that is no key", key: GARBAGE, methods: everyMethod, says: /neither a PEM private key nor a JWK/ },
  { name: "empty text", key: "", methods: everyMethod, says: /neither a PEM private key nor a JWK/ },
  {
    name: "the property tests' secret(name)",
    key: "secret(api_key)",
    methods: everyMethod,
    says: /neither a PEM private key nor a JWK/,
  },
  {
    name: "a PEM key cut short (END kept)",
    key: `-----BEGIN PRIVATE KEY-----\n${ed25519Body.slice(0, 40)}\n-----END PRIVATE KEY-----\n`,
    methods: everyMethod,
    says: /not a well-formed PKCS#8 private key/,
  },
  {
    name: "a PEM key cut short (no END)",
    key: ed25519Pem.slice(0, 60),
    methods: everyMethod,
    says: /PEM armor is broken/,
  },
  {
    name: "a PEM key whose END names another label",
    key: ed25519Pem.replace("END PRIVATE KEY", "END RSA PRIVATE KEY"),
    methods: everyMethod,
    says: /PEM armor is broken/,
  },
  {
    name: "a PEM key with a character that is not base64",
    key: ed25519Pem.replace(ed25519Body, `${ed25519Body.slice(0, 10)}!${ed25519Body.slice(11)}`),
    methods: everyMethod,
    says: /not base64/,
  },
  {
    name: "a PKCS#8 key with bytes after it",
    key: withTrailingBytes,
    methods: ["encodeEd25519"],
    says: /not a well-formed PKCS#8 private key/,
    stricterThanOpenSsl: true,
  },
  {
    name: "two keys",
    key: ed25519Pem + ed25519Pem,
    methods: ["encodeEd25519"],
    says: /several private keys/,
    stricterThanOpenSsl: true,
  },
  {
    name: "a PEM key whose line breaks are \\n",
    key: ed25519Pem.trim().replaceAll("\n", "\\n"),
    methods: everyMethod,
    says: /two characters \\n/,
  },
  {
    name: "a key past 16 KiB",
    key: `${ed25519Pem}${" ".repeat(16 * 1024)}`,
    methods: everyMethod,
    says: /longer than any private key read here/,
  },
  {
    name: "JSON that does not parse",
    key: `{"kty": "OKP", "d": "${GARBAGE}"`,
    methods: everyMethod,
    says: /not valid JSON/,
  },
  { name: "a JWK Set", key: jwkText({ keys: [eddsa.jwk] } as JsonWebKey), methods: everyMethod, says: /is a JWK Set/ },
  {
    name: "a JWK without kty",
    key: jwkText({ d: GARBAGE } as JsonWebKey),
    methods: everyMethod,
    says: /without a "kty" member/,
  },
  {
    name: "a symmetric JWK",
    key: jwkText({ kty: "oct", k: GARBAGE }),
    methods: everyMethod,
    says: /symmetric JWK \("kty": "oct"\)/,
  },
  {
    name: "an EC JWK without y",
    key: jwkText({ kty: "EC", crv: "P-256", d: p256Jwk.d, x: p256Jwk.x }),
    methods: ["encodeEcdsaP256Sha256"],
    says: /not a complete private JWK/,
  },
  {
    name: "an Ed25519 JWK whose d is short",
    key: jwkText({ ...eddsa.jwk, d: "AAAA" }),
    methods: ["encodeEd25519"],
    says: /not a complete private JWK/,
  },
  {
    name: "a P-256 JWK whose private value is zero",
    key: jwkText({ ...p256Jwk, d: Buffer.alloc(32).toString("base64url") }),
    methods: ["encodeEcdsaP256Sha256"],
    // Node 24's OpenSSL refuses it as it reads the JWK; older ones sign with it, and the backend refuses it.
    says: /not a usable private key|out of range|not a complete private JWK/,
  },
];

const cases = refused.flatMap((r) => r.methods.map((method) => ({ ...r, method })));

/**
 * The secret material of a key's text, in every 8-character piece: its runs of base64 and
 * base64url of 12 characters or more (PEM bodies, JWK members, other text), not the armor and
 * member names that hints name too.
 */
function pieces(key: string): string[] {
  const runs = key.match(/[A-Za-z0-9+/_=-]{12,}/g) ?? [];
  return runs
    .filter((run) => !/^-*(BEGIN|END)?-*$/.test(run))
    .flatMap((run) => Array.from({ length: run.length - 7 }, (_, i) => run.slice(i, i + 8)))
    .filter((piece) => !piece.includes("-----"));
}

describe("refused keys: INVALID_KEY, saying what was expected and what the key is, never any of it", () => {
  it.each(cases)("$name, to $method()", ({ key, method, says, hint }) => {
    const e = errorOf(() => signed(method, "data", key));
    expect(e.code).toBe("INVALID_KEY");
    expect(e.message).toMatch(says);
    if (hint) expect(e.hint).toMatch(hint);
    expect(e.message).not.toMatch(/[\r\n]/);
    for (const piece of pieces(key)) {
      expect(e.message).not.toContain(piece);
      expect(e.hint).not.toContain(piece);
    }
  });

  it.each(cases.filter((c) => !RSA_METHODS.includes(c.method)))(
    "$name, to $method(), in the browser backend",
    ({ key, method, says }) => {
      let refusal: unknown;
      try {
        browserSigned(method, "data", key);
      } catch (e) {
        refusal = e;
      }
      expect(refusal).toBeInstanceOf(SigningRefusal);
      expect((refusal as SigningRefusal).code).toBe("INVALID_KEY");
      expect((refusal as SigningRefusal).message).toMatch(says);
      for (const piece of pieces(key)) {
        expect((refusal as SigningRefusal).message).not.toContain(piece);
        expect((refusal as SigningRefusal).hint).not.toContain(piece);
      }
    },
  );

  // Through the public expand(), the key read by getSecret and written as a literal alike: the
  // message, the hint, the excerpt, format(), JSON and inspect() never show a piece of it.
  const leakCases = refused.map((r) => ({ name: r.name, key: r.key, method: r.methods[0] as string }));
  it.each(leakCases)(
    "$name: no error output holds a piece of the key, as a secret or as a literal",
    ({ key, method }) => {
      const asSecret = `{hash.append("data").${method}(hash.getSecret("key")).toHex().printDigest();}`;
      const asLiteral = `{hash.append("data").${method}(${JSON.stringify(key)}).toHex().printDigest();}`;
      for (const template of [asSecret, asLiteral]) {
        const e = errorOf(() => expand(template, { secrets: { key } }));
        expect(e.code).toBe("INVALID_KEY");
        const outputs = errorOutputs(e);
        for (const piece of pieces(key)) for (const output of outputs) expect(output).not.toContain(piece);
      }
    },
  );

  it("a valid key of one type, in a literal, never shows in another method's error", () => {
    const key = rfc9421["test-key-rsa"].private;
    const e = errorOf(() => expand(`{hash.append("x").encodeEd25519(${JSON.stringify(key)}).toHex().printDigest();}`));
    expect(e.code).toBe("INVALID_KEY");
    for (const piece of pieces(key)) for (const output of errorOutputs(e)) expect(output).not.toContain(piece);
  });
});

describe("keys read once", () => {
  it("signs right with more keys than are kept, and with the first of them again", () => {
    const keys = Array.from({ length: 12 }, () => generateKeyPairSync("ed25519").privateKey);
    for (const round of [0, 1]) {
      for (const key of keys) {
        const expected = sign(null, Buffer.from(`round ${round}`), key);
        expect(signed("encodeEd25519", `round ${round}`, pem(key, "pkcs8"))).toEqual(expected);
      }
    }
  });

  it("a key kept from one method is still checked for the next", () => {
    const key = pem(p256, "pkcs8");
    expect(signed("encodeEcdsaP256Sha256", "x", key).length).toBe(64);
    expect(errorOf(() => signed("encodeEd25519", "x", key)).code).toBe("INVALID_KEY");
  });
});

// The models of signatures read nothing of the environment: no clock, secret or request.
const NO_ENVIRONMENT = {} as Environment;

describe("the reference model agrees", () => {
  it("on every refused key: INVALID_KEY", () => {
    for (const { name, key, method } of cases.filter((c) => !c.stricterThanOpenSsl)) {
      expect(() => signatureModels[method]?.run("data", [key], NO_ENVIRONMENT), name).toThrow(
        expect.objectContaining({ code: "INVALID_KEY" }),
      );
    }
  });

  it("on the deterministic signatures of valid keys", () => {
    for (const [method, key] of [
      ["encodeRsaSha256", rfc9421["test-key-rsa"].private],
      ["encodeRsaSha1", jwkText(rs256.jwk)],
      ["encodeEd25519", ed25519Pem],
    ] as const) {
      expect(signatureModels[method]?.run("data", [key], NO_ENVIRONMENT)).toEqual(signed(method, "data", key));
    }
  });

  test.prop([fc.constantFrom(...everyMethod), fc.string({ maxLength: 64 }), fc.string({ maxLength: 16 })], {
    numRuns: 200,
  })("on any text as a key: INVALID_KEY from the method and from the model", (method, key, data) => {
    const e = errorOf(() => signed(method, data, key));
    expect(e.code).toBe("INVALID_KEY");
    expect(() => signatureModels[method]?.run(data, [key], NO_ENVIRONMENT)).toThrow(
      expect.objectContaining({ code: "INVALID_KEY" }),
    );
  });
});

it("a bytes value is signed as its bytes, text as UTF-8", () => {
  const key = ed25519Pem;
  const viaHex = evaluate(`hash.fromHex("00ff10").encodeEd25519(hash.getSecret("key")).toHex()`, { secrets: { key } });
  expect(viaHex).toBe(sign(null, Buffer.from([0x00, 0xff, 0x10]), ed25519).toString("hex"));
  expect(signed("encodeEd25519", "naïve ☃", key)).toEqual(sign(null, Buffer.from("naïve ☃", "utf8"), ed25519));
});

describe("the cost of signatures is bounded", () => {
  const key = rfc9421["test-key-ed25519"].private;
  const template = (n: number) =>
    `{hash.append("x").encodeEd25519(hash.getSecret("k")).toHex().printDigest();}`.repeat(n);

  it("counts each against maxExpansionSize (256 KiB): 64 fit in the default 16 MiB, a 65th does not", () => {
    expect(() => expand(template(60), { secrets: { k: key } })).not.toThrow();
    const e = errorOf(() => expand(template(70), { secrets: { k: key } }));
    expect(e.code).toBe("LIMIT_EXCEEDED");
    expect(e.message).toContain("encodeEd25519()");
    expect(e.message).toContain("maxExpansionSize");
  });

  it("refuses before signing: a tighter limit allows fewer", () => {
    const e = errorOf(() => expand(template(3), { secrets: { k: key }, limits: { maxExpansionSize: 600 * 1024 } }));
    expect(e.code).toBe("LIMIT_EXCEEDED");
  });
});
