import {
  createHash,
  createHmac,
  generateKeyPairSync,
  sign as nodeSign,
  verify as nodeVerify,
  randomBytes,
} from "node:crypto";
import { describe, expect, it } from "vitest";
import { backend as browser } from "../../src/platform/crypto/browser.ts";
import { backend as node } from "../../src/platform/crypto/node.ts";
import type { Algorithm } from "../../src/platform/crypto/types.ts";

// The package uses node:crypto on Node and @noble/hashes in browsers; a signature must not
// depend on which one ran. Both are checked against node:crypto's digests called directly.

const algorithms: Algorithm[] = ["md5", "sha1", "sha256", "sha512"];
const inputs = [
  new Uint8Array(0),
  new TextEncoder().encode("abc"),
  new TextEncoder().encode("naïve ☃ 😀"),
  new Uint8Array(randomBytes(64)), // exactly one block
  new Uint8Array(randomBytes(1 << 20)), // 1 MiB
];
const keys = [new Uint8Array(0), new TextEncoder().encode("Jefe"), new Uint8Array(randomBytes(131))];

describe.each([node, browser])("$name", (backend) => {
  it.each(algorithms)("digest %s", (algorithm) => {
    for (const data of inputs) {
      expect(Buffer.from(backend.digest(algorithm, data)).toString("hex")).toBe(
        createHash(algorithm).update(data).digest("hex"),
      );
    }
  });

  it.each(algorithms)("hmac %s", (algorithm) => {
    for (const key of keys) {
      for (const data of inputs) {
        expect(Buffer.from(backend.hmac(algorithm, key, data)).toString("hex")).toBe(
          createHmac(algorithm, key).update(data).digest("hex"),
        );
      }
    }
  });

  it("base64, of bytes and of text as UTF-8", () => {
    for (const data of inputs) expect(backend.base64(data)).toBe(Buffer.from(data).toString("base64"));
    expect(backend.base64("naïve ☃")).toBe(Buffer.from("naïve ☃", "utf8").toString("base64"));
  });

  it.each(algorithms)("digests and MACs written straight as base64 or hex (%s)", (algorithm) => {
    for (const data of [...inputs, "naïve ☃ 😀"]) {
      for (const encoding of ["base64", "hex"] as const) {
        expect(backend.encoded(algorithm, undefined, data, encoding)).toBe(
          createHash(algorithm).update(data).digest(encoding),
        );
        for (const key of [...keys, "text key"]) {
          expect(backend.encoded(algorithm, key, data, encoding)).toBe(
            createHmac(algorithm, key).update(data).digest(encoding),
          );
        }
      }
    }
  });

  it("hashes text as its UTF-8 bytes", () => {
    expect(Buffer.from(backend.digest("sha256", "naïve ☃")).toString("hex")).toBe(
      createHash("sha256").update(Buffer.from("naïve ☃", "utf8")).digest("hex"),
    );
    expect(Buffer.from(backend.hmac("sha1", "ключ", "data")).toString("hex")).toBe(
      createHmac("sha1", Buffer.from("ключ", "utf8")).update("data").digest("hex"),
    );
  });
});

// Signatures: Ed25519 is deterministic, so both backends give node:crypto's bytes; ECDSA is not
// on Node (OpenSSL draws k), so what each backend makes is checked by verifying it.
describe("signatures on both backends", () => {
  const ed = generateKeyPairSync("ed25519");
  const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const edKey = ed.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  const ecKey = ec.privateKey.export({ type: "sec1", format: "pem" }) as string;

  it.each([node, browser])("$name: Ed25519 gives node:crypto's own signature", (backend) => {
    for (const data of [...inputs, "naïve ☃ 😀"]) {
      expect(Buffer.from(backend.sign("ed25519", edKey, data))).toEqual(
        nodeSign(null, typeof data === "string" ? Buffer.from(data, "utf8") : data, ed.privateKey),
      );
    }
  });

  it.each([node, browser])("$name: ECDSA P-256 gives 64 bytes r‖s that node:crypto verifies", (backend) => {
    for (const data of [...inputs, "naïve ☃ 😀"]) {
      const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
      const signature = backend.sign("ecdsa-p256-sha256", ecKey, data);
      expect(signature.length).toBe(64);
      expect(nodeVerify("sha256", bytes, { key: ec.publicKey, dsaEncoding: "ieee-p1363" }, signature)).toBe(true);
    }
  });
});
