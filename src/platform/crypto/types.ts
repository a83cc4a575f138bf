/** The algorithms the language exposes; every backend implements all of them. */
export type Algorithm = "md5" | "sha1" | "sha256" | "sha512";

/** Text (hashed as UTF-8) or bytes. Backends take text as is where the platform hashes it faster. */
export type Data = string | Uint8Array;

export type Encoding = "base64" | "hex";

/**
 * What the evaluator needs from the platform. Two implementations, chosen by the `#crypto`
 * import condition in package.json; test/crypto/backends.test.ts proves they give identical bytes.
 */
export interface CryptoBackend {
  readonly name: string;
  digest(algorithm: Algorithm, data: Data): Uint8Array;
  hmac(algorithm: Algorithm, key: Data, data: Data): Uint8Array;
  /** Standard base64 with padding (RFC 4648 §4) of bytes, or of text as UTF-8. */
  base64(data: Data): string;
  /**
   * A digest or MAC written straight as base64 or lowercase hex: on Node this skips making a
   * Buffer of the raw bytes, which costs as much as a short HMAC itself.
   */
  encoded(algorithm: Algorithm, key: Data | undefined, data: Data, encoding: Encoding): string;
}
