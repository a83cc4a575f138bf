import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { backend as browser } from "../../src/crypto/browser.ts";
import { backend as node } from "../../src/crypto/node.ts";
import type { Algorithm } from "../../src/crypto/types.ts";

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

  it("base64", () => {
    for (const data of inputs) expect(backend.base64(data)).toBe(Buffer.from(data).toString("base64"));
  });
});
