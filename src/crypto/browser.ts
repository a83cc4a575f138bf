// Browsers have WebCrypto, but it is asynchronous and has no MD5, so the synchronous
// evaluator uses @noble/hashes there.
import { hmac } from "@noble/hashes/hmac.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import type { Algorithm, CryptoBackend } from "./types.ts";

const hashes = { md5, sha1, sha256, sha512 } as const;

// String.fromCharCode takes its arguments on the stack; chunks keep a 1 MiB value in bounds.
const CHUNK = 0x8000;

export const backend: CryptoBackend = {
  name: "@noble/hashes",
  digest: (algorithm: Algorithm, data: Uint8Array) => hashes[algorithm](data),
  hmac: (algorithm: Algorithm, key: Uint8Array, data: Uint8Array) => hmac(hashes[algorithm], key, data),
  base64: (data: Uint8Array) => {
    let binary = "";
    for (let i = 0; i < data.length; i += CHUNK) {
      binary += String.fromCharCode(...data.subarray(i, i + CHUNK));
    }
    return btoa(binary);
  },
};
