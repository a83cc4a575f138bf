// On Node, node:crypto (OpenSSL) is the fastest correct implementation there is. Text goes to it
// as a string: it encodes UTF-8 natively, faster than a TextEncoder round trip.
import { Buffer } from "node:buffer";
import type { Algorithm, CryptoBackend, Data, Encoding } from "./types.ts";

// Fetched on first use rather than imported: loading node:crypto is about 5 ms of start-up,
// which a program that imports hash-helper and signs nothing yet should not pay.
let crypto: typeof import("node:crypto") | undefined;
function lib(): typeof import("node:crypto") {
  crypto ??= process.getBuiltinModule("node:crypto");
  return crypto;
}
const createHash = (algorithm: Algorithm) => lib().createHash(algorithm);
const createHmac = (algorithm: Algorithm, key: Data) => lib().createHmac(algorithm, key);

export const backend: CryptoBackend = {
  name: "node:crypto",
  // A Buffer is a Uint8Array: it is returned as it is, not copied.
  digest: (algorithm: Algorithm, data: Data) => createHash(algorithm).update(data).digest(),
  hmac: (algorithm: Algorithm, key: Data, data: Data) => createHmac(algorithm, key).update(data).digest(),
  encoded: (algorithm: Algorithm, key: Data | undefined, data: Data, encoding: Encoding) =>
    (key === undefined ? createHash(algorithm) : createHmac(algorithm, key)).update(data).digest(encoding),
  base64: (data: Data) =>
    (typeof data === "string"
      ? Buffer.from(data, "utf8")
      : Buffer.isBuffer(data)
        ? data
        : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    ).toString("base64"),
};
