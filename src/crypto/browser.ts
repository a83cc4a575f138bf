// Browsers have WebCrypto, but it is asynchronous and has no MD5, so the synchronous
// evaluator uses @noble/hashes there.
import { hmac } from "@noble/hashes/hmac.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Algorithm, CryptoBackend } from "./types.ts";

const hashes = { md5, sha1, sha256 } as const;

export const backend: CryptoBackend = {
  name: "@noble/hashes",
  digest: (algorithm: Algorithm, data: Uint8Array) => hashes[algorithm](data),
  hmac: (algorithm: Algorithm, key: Uint8Array, data: Uint8Array) => hmac(hashes[algorithm], key, data),
};
