// The Unleashed-style request of the benchmarks: the query string signed with HMAC-SHA256 into a
// header (Unleashed's API authentication), as a request template for signRequest() and as the
// function a careful hand would write for it with node:crypto.
import { createHmac } from "node:crypto";

export const unleashedKey = "unleashed-0123456789abcdef0123456789abcdef";
const apiId = "3f2b8d2a-1111-2222-3333-444455556666";
const url = "https://api.unleashedsoftware.com/Products?pageSize=200&productCode=WIDGET-42&includeObsolete=false";

/** The request template: the signature reads the URL's query. */
export const unleashedRequest = {
  url,
  headers: {
    Accept: "application/json",
    "Content-Type": "application/json",
    "api-auth-id": apiId,
    "api-auth-signature":
      '{hash.getRequestQuery().encodeHmacSha256(hash.getSecret("unleashed")).encodeBase64().printDigest();}',
  },
};

export const unleashedSecrets = { unleashed: unleashedKey };

/**
 * The same request signed by hand from the request it is given: the query is the URL's after
 * "?", as getRequestQuery() reads it, and the other headers are sent as they are.
 */
export function unleashedByHand(request: typeof unleashedRequest, secrets: Readonly<Record<string, string>>) {
  const url = request.url;
  const query = url.slice(url.indexOf("?") + 1);
  const signature = createHmac("sha256", secrets.unleashed as string)
    .update(query)
    .digest("base64");
  return { method: "GET", url, headers: { ...request.headers, "api-auth-signature": signature }, body: undefined };
}
