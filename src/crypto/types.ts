/** The algorithms the language exposes; every backend implements all of them. */
export type Algorithm = "md5" | "sha1" | "sha256" | "sha512";

/**
 * What the evaluator needs from the platform. Two implementations, chosen by the `#crypto`
 * import condition in package.json; test/crypto.test.ts proves they give identical bytes.
 */
export interface CryptoBackend {
  readonly name: string;
  digest(algorithm: Algorithm, data: Uint8Array): Uint8Array;
  hmac(algorithm: Algorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
  /** Standard base64 with padding (RFC 4648 §4). Here because Node's Buffer does it fastest. */
  base64(data: Uint8Array): string;
}
