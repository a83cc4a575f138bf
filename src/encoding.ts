/** Text becomes bytes as UTF-8 everywhere in the language. */
const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function bytesOf(value: string | Uint8Array): Uint8Array {
  return typeof value === "string" ? utf8(value) : value;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += HEX[b];
  return out;
}

// RFC 3986 §2.3: only the unreserved characters stay as they are; every other byte of the
// UTF-8 form becomes %XX with uppercase hex (§2.1). Unlike encodeURIComponent, ! ' ( ) * are
// encoded too, which is what signature schemes (OAuth 1.0, AWS SigV4) expect.
const PERCENT = Array.from({ length: 256 }, (_, b) => {
  const c = String.fromCharCode(b);
  return /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, "0")}`;
});

export function percentEncode(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += PERCENT[b];
  return out;
}
