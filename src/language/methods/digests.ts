// Digests and MACs: what turns the text a chain built into the bytes an API checks.
import { backend } from "#crypto";
import type { Algorithm } from "../../platform/crypto/types.ts";
import { type Method, type Param, TEXT_OR_BYTES } from "../method.ts";

const KEY: Param = { name: "key", accepts: ["text", "bytes"], secret: true, asBytes: true };

const digest = (algorithm: Algorithm): Pick<Method, "run" | "runEncoded"> => ({
  run: (input) => backend.digest(algorithm, input),
  runEncoded: (input, _args, _context, encoding) => backend.encoded(algorithm, undefined, input, encoding),
});

const mac = (algorithm: Algorithm): Pick<Method, "run" | "runEncoded"> => ({
  run: (input, [key]) => backend.hmac(algorithm, key as string | Uint8Array, input),
  runEncoded: (input, [key], _context, encoding) =>
    backend.encoded(algorithm, key as string | Uint8Array, input, encoding),
});

export const digestMethods: readonly Method[] = [
  {
    name: "encodeMd5",
    params: [],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "MD5 digest (16 bytes) of the value; text is hashed as UTF-8.",
    example: `hash.append("abc").encodeMd5().toHex()`,
    ...digest("md5"),
  },
  {
    name: "encodeSha1",
    params: [],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "SHA-1 digest (20 bytes) of the value; text is hashed as UTF-8.",
    example: `hash.append("abc").encodeSha1().toHex()`,
    ...digest("sha1"),
  },
  {
    name: "encodeSha256",
    params: [],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "SHA-256 digest (32 bytes) of the value; text is hashed as UTF-8.",
    example: `hash.append("abc").encodeSha256().toHex()`,
    ...digest("sha256"),
  },
  {
    name: "encodeSha512",
    params: [],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "SHA-512 digest (64 bytes) of the value; text is hashed as UTF-8.",
    example: `hash.append("abc").encodeSha512().toHex()`,
    ...digest("sha512"),
  },
  {
    name: "encodeHmacMd5",
    params: [KEY],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "HMAC-MD5 (16 bytes) of the value with the key (text as UTF-8, or bytes).",
    example: `hash.append("{}").encodeHmacMd5(hash.fromHex("00ff")).toHex()`,
    ...mac("md5"),
  },
  {
    name: "encodeHmacSha1",
    params: [KEY],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "HMAC-SHA1 (20 bytes) of the value with the key (text as UTF-8, or bytes).",
    example: `hash.append("data").encodeHmacSha1("secretKey").encodeBase64()`,
    ...mac("sha1"),
  },
  {
    name: "encodeHmacSha256",
    params: [KEY],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "HMAC-SHA256 (32 bytes) of the value with the key (text as UTF-8, or bytes).",
    example: `hash.append("customerCode=ACME").encodeHmacSha256("secretKey").encodeBase64()`,
    ...mac("sha256"),
  },
  {
    name: "encodeHmacSha512",
    params: [KEY],
    input: TEXT_OR_BYTES,
    output: "bytes",
    reveals: false,
    summary: "HMAC-SHA512 (64 bytes) of the value with the key (text as UTF-8, or bytes).",
    example: `hash.append("data").encodeHmacSha512("secretKey").encodeBase64()`,
    ...mac("sha512"),
  },
];
