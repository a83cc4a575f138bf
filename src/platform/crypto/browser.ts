// Browsers have WebCrypto, but it is asynchronous and has no MD5, so the synchronous
// evaluator uses @noble/hashes there.
import { hmac } from "@noble/hashes/hmac.js";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { bytesOf, toHex } from "../../language/encoding.ts";
import type { Algorithm, CryptoBackend, Data, Encoding } from "./types.ts";

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

export const backend: CryptoBackend = {
  name: "@noble/hashes",
  digest,
  hmac: mac,
  base64,
  encoded: (algorithm: Algorithm, key: Data | undefined, data: Data, encoding: Encoding) => {
    const bytes = key === undefined ? digest(algorithm, data) : mac(algorithm, key, data);
    return encoding === "hex" ? toHex(bytes) : base64(bytes);
  },
};
