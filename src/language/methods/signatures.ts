// Public-key signatures: RSA (PKCS#1 v1.5 and PSS), ECDSA P-256 and Ed25519, keyed by a private key.
import type { Method } from "../method.ts";

export const signatureMethods: readonly Method[] = [];
