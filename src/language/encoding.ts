/** Text becomes bytes as UTF-8 everywhere in the language. */
const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function bytesOf(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? utf8(value) : value;
}

/** How many bytes the UTF-8 form of a text has (a lone surrogate becomes U+FFFD, 3 bytes), without making it. */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a pair: 4 bytes for 2 code units
      i++;
    } else n += 2;
  }
  return n;
}

/** The size of a value in the units of maxValueSize: characters of text, bytes of bytes. */
export function sizeOf(value: string | Uint8Array): number {
  return typeof value === "string" ? value.length : value.byteLength;
}

/** Bytes of a value as encoders see it: text as UTF-8. */
export function byteLength(value: string | Uint8Array): number {
  return typeof value === "string" ? utf8Length(value) : value.byteLength;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const HEX_CODES = new TextEncoder().encode("0123456789abcdef");
// Bytes 0x00-0x7f decode to the same characters in windows-1252, which "latin1" names here.
const ascii = new TextDecoder("latin1");

// Past this size, text is written as bytes and decoded once: adding two characters at a time
// makes a string of one node per addition, about sixteen times the size of the flat text.
const FLAT_FROM = 64;

export function toHex(bytes: Uint8Array): string {
  if (bytes.length <= FLAT_FROM) {
    let out = "";
    for (const b of bytes) out += HEX[b];
    return out;
  }
  const out = new Uint8Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    out[i * 2] = HEX_CODES[b >> 4] as number;
    out[i * 2 + 1] = HEX_CODES[b & 15] as number;
  }
  return ascii.decode(out);
}

// RFC 3986 §2.3: only the unreserved characters stay as they are; every other byte of the
// UTF-8 form becomes %XX with uppercase hex (§2.1). Unlike encodeURIComponent, ! ' ( ) * are
// encoded too, which is what signature schemes (OAuth 1.0, AWS SigV4) expect.
const PERCENT = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b);
  return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
});

const SUB_DELIMS = /[!'()*]/;
const SUB_DELIMS_ALL = /[!'()*]/g;

export function percentEncode(value: string | Uint8Array): string {
  if (typeof value === "string") {
    // encodeURIComponent is native and writes the same UTF-8 and uppercase hex; it only leaves
    // !'()* as they are. It throws on a lone surrogate, which TextEncoder turns into U+FFFD.
    try {
      const encoded = encodeURIComponent(value);
      // Tested before replacing: most values have none of them, and a replace costs as much again.
      return SUB_DELIMS.test(encoded)
        ? encoded.replace(SUB_DELIMS_ALL, (c) => PERCENT[c.charCodeAt(0)] as string)
        : encoded;
    } catch {
      value = utf8(value);
    }
  }
  const out = new Uint8Array(percentLength(value));
  let at = 0;
  for (const b of value) {
    if (UNRESERVED[b]) out[at++] = b;
    else {
      out[at++] = 0x25; // %
      out[at++] = UPPER_HEX[b >> 4] as number;
      out[at++] = UPPER_HEX[b & 15] as number;
    }
  }
  return ascii.decode(out);
}

const UNRESERVED = PERCENT.map((p) => p.length === 1);
const UPPER_HEX = new TextEncoder().encode("0123456789ABCDEF");

function percentLength(bytes: Uint8Array): number {
  let n = 0;
  for (const b of bytes) n += UNRESERVED[b] ? 1 : 3;
  return n;
}

/** The length of percentEncode(value), without encoding it. */
export function percentEncodedLength(value: string | Uint8Array): number {
  if (typeof value !== "string") return percentLength(value);
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) n += UNRESERVED[c] ? 1 : 3;
    else if (c < 0x800) n += 6;
    else if (c >= 0xd800 && c <= 0xdbff && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 12;
      i++;
    } else n += 9;
  }
  return n;
}

/** RFC 4648 §5: base64 with - and _ for + and /, and no padding. */
export function base64Url(standard: string): string {
  return standard.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Why a text is not hex, or undefined when it is: an even number of hex digits. */
export function hexProblem(text: string): string | undefined {
  if (!/^[0-9A-Fa-f]*$/.test(text)) return "hex may hold only the digits 0-9 and a-f";
  if (text.length % 2 !== 0) return "hex needs an even number of digits, two a byte";
  return undefined;
}

export function fromHex(text: string): Uint8Array {
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

// Standard (RFC 4648 §4, padded or not) or URL-safe (§5) alphabet, not both, no whitespace.
const BASE64 = /^(?:[A-Za-z0-9+/]*={0,2}|[A-Za-z0-9\-_]*)$/;

/** Why a text is not base64, or undefined when it is. */
export function base64Problem(text: string): string | undefined {
  const unpadded = text.replace(/=+$/, "");
  if (!BASE64.test(text) || unpadded.length % 4 === 1) return "not base64 (RFC 4648 §4 or §5)";
  if (text.length !== unpadded.length && text.length % 4 !== 0) return "base64 padding must fill a group of four";
  return undefined;
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, ""));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
