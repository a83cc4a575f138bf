/** The algorithms the language exposes; every backend implements all of them. */
export type Algorithm = "md5" | "sha1" | "sha256" | "sha512";

/**
 * The public-key signatures the language exposes: RSASSA-PKCS1-v1_5 and RSASSA-PSS (RFC 8017
 * §8.2, §8.1; PSS with MGF1 of the same hash and a salt as long as the digest, as JWS PS256 and
 * RFC 9421 §3.3.1 use it), ECDSA on P-256 with SHA-256 written as r‖s (IEEE P1363, 64 bytes, as
 * JWS ES256 and RFC 9421 §3.3.4 use it) and Ed25519 (RFC 8032 §5.1).
 */
export type SignatureAlgorithm =
  | "rsa-sha256"
  | "rsa-sha1"
  | "rsa-pss-sha256"
  | "rsa-pss-sha512"
  | "ecdsa-p256-sha256"
  | "ed25519";

/** Text (hashed as UTF-8) or bytes. Backends take text as is where the platform hashes it faster. */
export type Data = string | Uint8Array;

export type Encoding = "base64" | "hex";

/**
 * A backend's refusal to sign: a key it cannot use, or an algorithm this platform does not run.
 * Its message and hint name what was expected and what kind of key was found, never any of the
 * key's text; the method table turns it into a MethodFailure of the same code.
 */
export class SigningRefusal extends Error {
  constructor(
    readonly code: "INVALID_KEY" | "UNSUPPORTED_IN_BROWSER",
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

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
  /**
   * The signature of bytes, or of text as UTF-8, with a private key given as PEM (PKCS#8, or
   * PKCS#1 / SEC1 where the algorithm has them) or as a JWK in JSON. Throws a SigningRefusal
   * for a key that is unreadable or of another kind, and for what the platform cannot run.
   */
  sign(algorithm: SignatureAlgorithm, key: string, data: Data): Uint8Array;
}
