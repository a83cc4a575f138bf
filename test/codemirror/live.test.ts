// The live value: what the template gives with the host's clock, secrets and request, masked as
// a trace is. The oracles are node:crypto by hand.
import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { formatRequest, liveValue, traceRows } from "../../src/codemirror/live.ts";
import { type HashHelperEditorOptions, resolve } from "../../src/codemirror/options.ts";

const now = Date.UTC(2025, 0, 1, 12, 30, 15);
const value = (text: string, options: HashHelperEditorOptions = {}) =>
  liveValue(text, resolve({ live: { now: () => now }, ...options }));

describe("liveValue", () => {
  it("expands at the host's clock, with the host's secrets", () => {
    const text = `e={hash.getExpiryTime(60);}&s={hash.append("a").encodeHmacSha256(hash.getSecret("k")).toHex().printDigest();}`;
    const live = value(text, { secrets: { k: "key" } });
    const mac = createHmac("sha256", "key").update("a").digest("hex");
    expect(live).toMatchObject({ kind: "template", output: `e=${now / 1000 + 60}&s=${mac}` });
    if (live.kind !== "template") throw new Error(live.kind);
    expect(traceRows(live.explanation).map((r) => [r.block, r.depth, r.call, r.kind])).toStrictEqual([
      [1, 0, "getExpiryTime(60)", "text"],
      [2, 0, `append("a")`, "text"],
      [2, 1, `getSecret("k")`, "text"],
      [2, 0, `encodeHmacSha256(hash.getSecret("k"))`, "bytes"],
      [2, 0, "toHex()", "text"],
      [2, 0, "printDigest()", "text"],
    ]);
  });

  it("masks what a secret built, in the output and in every step", () => {
    const secret = "s3cret-value-abcdef";
    const live = value(`Bearer {hash.getSecret("token");}`, { secrets: { token: secret } });
    expect(live.kind).toBe("template");
    expect(JSON.stringify(live)).not.toContain(secret);
    expect(live.kind === "template" && live.output).toMatch(/^Bearer •+$/);
  });

  it("signs the host's request, and shows it as a request", () => {
    const body = '{"id":1}';
    const live = value("{hash.getRequestBody().encodeSha256().toHex().printDigest();}", {
      request: (text) => ({ method: "POST", url: "https://api.example.com/x", body, headers: [["X-Digest", text]] }),
    });
    if (live.kind !== "request") throw new Error(live.kind);
    const digest = createHash("sha256").update(body).digest("hex");
    expect(formatRequest(live.output)).toBe(`POST https://api.example.com/x\nX-Digest: ${digest}\n\n${body}`);
    expect(traceRows(live.explanation)[0]?.where).toBe("header X-Digest");
  });

  it("gives the error that stops it, with every problem", () => {
    const live = value(`{hash.getSecret("nope");}`);
    expect(live.kind).toBe("error");
    if (live.kind !== "error") return;
    expect(live.problems.map((p) => p.code)).toStrictEqual(["MISSING_SECRET"]);
  });
});
