/** The algorithms the language exposes; every backend implements all of them. */
export type Algorithm = "md5" | "sha1" | "sha256";

export interface CryptoBackend {
  readonly name: string;
  digest(algorithm: Algorithm, data: Uint8Array): Uint8Array;
  hmac(algorithm: Algorithm, key: Uint8Array, data: Uint8Array): Uint8Array;
}
