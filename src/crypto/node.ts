// On Node, node:crypto (OpenSSL) is the fastest correct implementation there is.
import { Buffer } from "node:buffer";
import { createHash, createHmac } from "node:crypto";
import type { Algorithm, CryptoBackend } from "./types.ts";

const toBytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export const backend: CryptoBackend = {
  name: "node:crypto",
  digest: (algorithm: Algorithm, data: Uint8Array) => toBytes(createHash(algorithm).update(data).digest()),
  hmac: (algorithm: Algorithm, key: Uint8Array, data: Uint8Array) =>
    toBytes(createHmac(algorithm, key).update(data).digest()),
  base64: (data: Uint8Array) => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64"),
};
