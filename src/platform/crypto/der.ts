// The little DER (X.690 §10) the browser backend reads to find a private key: PKCS#8
// (RFC 5208, RFC 5958) for any key, whose algorithm is named in the messages, and the private
// value of a P-256 key (SEC1, RFC 5915) or an Ed25519 key (RFC 8410 §7). Strict: definite,
// minimal lengths, every element where it belongs, nothing after the key. Anything else throws.
import type { Curve, KeyKind } from "./keys.ts";

/** Thrown for bytes that are not the DER expected; the caller turns it into INVALID_KEY. */
export class DerError extends Error {}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const BIT_STRING = 0x03;
const OID = 0x06;
const CONTEXT_0 = 0xa0;
const CONTEXT_1 = 0xa1;
const IMPLICIT_1 = 0x81;

class Reader {
  constructor(
    private readonly bytes: Uint8Array,
    private at = 0,
    private readonly end = bytes.length,
  ) {}

  get done(): boolean {
    return this.at === this.end;
  }

  peek(): number | undefined {
    return this.done ? undefined : this.bytes[this.at];
  }

  /** The contents of the next element, which must carry this tag. */
  read(tag: number): Uint8Array {
    if (this.peek() !== tag) throw new DerError();
    let at = this.at + 1;
    const first = this.byte(at++);
    let length = first;
    if (first >= 0x80) {
      // 0x80 is BER's indefinite length; DER lengths are minimal and 16 KiB of key needs two bytes.
      const count = first & 0x7f;
      if (count === 0 || count > 2) throw new DerError();
      length = 0;
      for (let i = 0; i < count; i++) length = (length << 8) | this.byte(at++);
      if (length < 0x80 || (count === 2 && length < 0x100)) throw new DerError();
    }
    if (length > this.end - at) throw new DerError();
    this.at = at + length;
    return this.bytes.subarray(at, at + length);
  }

  reader(tag: number): Reader {
    const contents = this.read(tag);
    return new Reader(contents);
  }

  finish(): void {
    if (!this.done) throw new DerError();
  }

  private byte(at: number): number {
    if (at >= this.end) throw new DerError();
    return this.bytes[at] as number;
  }
}

/** Refuses bytes that are not one DER SEQUENCE and nothing after it (OpenSSL reads past trailing bytes). */
export function checkSequence(der: Uint8Array): void {
  const outer = new Reader(der);
  outer.read(SEQUENCE);
  outer.finish();
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

// The contents of the object identifiers read, by what they name.
const ALGORITHMS: Record<string, KeyKind["type"]> = {
  "2a864886f70d010101": "rsa", // rsaEncryption, RFC 8017 A.1
  "2a864886f70d01010a": "rsa-pss", // id-RSASSA-PSS, RFC 4055 §3.1
  "2a8648ce3d0201": "ec", // id-ecPublicKey, RFC 5480 §2.1.1
  "2b6570": "ed25519", // RFC 8410 §3
  "2b6571": "ed448",
  "2b656e": "x25519",
  "2b656f": "x448",
  "2a8648ce380401": "dsa", // id-dsa, RFC 3279 §2.3.2
};
const CURVES: Record<string, Curve> = {
  "2a8648ce3d030107": "P-256", // prime256v1, RFC 5480 §2.1.1.1
  "2b81040022": "P-384",
  "2b81040023": "P-521",
  "2b8104000a": "secp256k1",
};

const kindOf = (oid: string): KeyKind["type"] =>
  (Object.hasOwn(ALGORITHMS, oid) ? ALGORITHMS[oid] : "other") as KeyKind["type"];
const curveOf = (oid: string): Curve => (Object.hasOwn(CURVES, oid) ? CURVES[oid] : undefined) ?? "other";

export interface PrivateKey {
  kind: KeyKind;
  /** The private value of a P-256 or Ed25519 key (32 bytes); undefined for any other key. */
  secret?: Uint8Array;
}

/** A PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5958 §2). */
export function readPkcs8(der: Uint8Array): PrivateKey {
  const outer = new Reader(der);
  const info = outer.reader(SEQUENCE);
  outer.finish();
  const version = info.read(INTEGER);
  if (version.length !== 1 || (version[0] !== 0 && version[0] !== 1)) throw new DerError();
  const algorithm = info.reader(SEQUENCE);
  const type = kindOf(hex(algorithm.read(OID)));
  let curve: Curve | undefined;
  if (type === "ec") {
    curve = curveOf(hex(algorithm.read(OID)));
  }
  // The parameters of other algorithms (RSA's NULL, RSA-PSS's restrictions) are not read: the
  // browser signs with none of them, and a message needs only their name.
  if (type === "ed25519" || type === "ec") algorithm.finish();
  const privateKey = info.read(OCTET_STRING);
  if (info.peek() === CONTEXT_0) info.read(CONTEXT_0); // attributes
  if (info.peek() === IMPLICIT_1 && version[0] === 1) info.read(IMPLICIT_1); // the public key
  info.finish();
  if (type === "ec") {
    if (curve !== "P-256") return { kind: { type, curve: curve ?? "other" } };
    return readEcPrivateKey(privateKey, "P-256");
  }
  if (type === "ed25519") {
    // CurvePrivateKey ::= OCTET STRING, the 32-byte seed (RFC 8410 §7).
    const inner = new Reader(privateKey);
    const seed = inner.read(OCTET_STRING);
    inner.finish();
    if (seed.length !== 32) throw new DerError();
    return { kind: { type }, secret: seed };
  }
  return { kind: { type } };
}

/**
 * An ECPrivateKey (RFC 5915 §3). Inside PKCS#8 the curve is named outside it (`known`), and a
 * curve it names itself must agree; alone (SEC1 PEM) it must name its curve.
 */
export function readEcPrivateKey(der: Uint8Array, known?: Curve): PrivateKey {
  const outer = new Reader(der);
  const key = outer.reader(SEQUENCE);
  outer.finish();
  const version = key.read(INTEGER);
  if (version.length !== 1 || version[0] !== 1) throw new DerError();
  const secret = key.read(OCTET_STRING);
  let curve = known;
  if (key.peek() === CONTEXT_0) {
    const parameters = key.reader(CONTEXT_0);
    const named = curveOf(hex(parameters.read(OID)));
    parameters.finish();
    if (known !== undefined && named !== known) throw new DerError();
    curve = named;
  }
  if (key.peek() === CONTEXT_1) {
    const publicKey = key.reader(CONTEXT_1);
    publicKey.read(BIT_STRING);
    publicKey.finish();
  }
  key.finish();
  if (curve === undefined) throw new DerError();
  const kind: KeyKind = { type: "ec", curve };
  if (curve !== "P-256") return { kind };
  // The private value is exactly as long as the order (RFC 5915 §3: ceiling(log2(n)/8) octets).
  if (secret.length !== 32) throw new DerError();
  return { kind, secret };
}
