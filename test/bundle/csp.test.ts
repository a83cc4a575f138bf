// The browser bundle under a strict Content-Security-Policy: `script-src 'self'`, without
// 'unsafe-eval' or 'unsafe-inline'. The page's one script is /main.js, same origin, and it runs
// everything: page.evaluate would not do, because DevTools lets its own evaluations eval on any
// page (CDP's allowUnsafeEvalBlockedByCSP), so a bundle that evals would pass there. main.js
// posts its report to /report and the test reads that request; nothing is evaluated in the page.
// The oracles are node:crypto by hand, and the sources for the shared workload.
import { createHash, createHmac, generateKeyPairSync, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { accessId, key, moz } from "../../scripts/bench/moz.ts";
import type * as source from "../../src/index.ts";
import { chromiumForSuite, haveChromium, pageLog } from "./chromium.ts";
import { dist, expected, input, workload } from "./workload.ts";

type Api = typeof source;

const origin = "http://hash-helper.test";
const policy = "script-src 'self'";
const now = Date.UTC(2025, 0, 1, 12, 30, 15);

const { privateKey: ed25519Key } = generateKeyPairSync("ed25519");
const secrets = {
  api_key: "csp-api-key",
  ed25519_key: ed25519Key.export({ type: "pkcs8", format: "pem" }).toString(),
};

interface CaseInput {
  now: number;
  moz: string;
  families: string;
  expression: string;
  request: { method: string; url: string; body: string; headers: [string, string][] };
  missingSecret: string;
  misspelt: string;
  secrets: Record<string, string>;
}

const body = '{"id":1}';
const caseInput: CaseInput = {
  now,
  moz,
  // Time, secrets, MACs, digests, encodings, text and a signature, one block each.
  families:
    "https://api.example.com/v1/items?ts={hash.getEpochMillis();}" +
    `&day={hash.getDate("yyyyMMdd");}` +
    `&mac={hash.append("GET").appendNewLine().append(hash.getEpochMillis()).encodeHmacSha256(hash.getSecret("api_key")).toHex().printDigest();}` +
    `&md5={hash.append("abc").encodeMd5().toHex().printDigest();}` +
    `&b64={hash.fromHex("4a656665").encodeBase64Url().printDigest();}` +
    `&text={hash.append(" Mixed Case ").trim().toUpperCase().encodeURL().printDigest();}` +
    `&ed={hash.append("timestamp.body").encodeEd25519(hash.getSecret("ed25519_key")).encodeBase64().encodeURL().printDigest();}`,
  expression: `hash.append("data").encodeHmacSha512(hash.getSecret("api_key")).encodeBase64()`,
  request: {
    method: "POST",
    url: "https://api.example.com/orders?b=2&a=1",
    body,
    headers: [
      ["Content-Type", "application/json"],
      [
        "X-Signature",
        `{hash.append(hash.getRequestMethod()).appendNewLine().append(hash.getRequestPath()).appendNewLine().append(hash.getRequestBody().encodeSha256().toHex()).encodeHmacSha256(hash.getSecret("api_key")).encodeBase64().printDigest();}`,
      ],
    ],
  },
  missingSecret: `{hash.append(hash.getSecret("absent")).printDigest();}`,
  misspelt: `a={hash.apend("x").printDigest();}`,
  secrets,
};

/** What the page runs beside the shared workload. Self-contained: its source text is sent. */
function cases(api: Api, input: CaseInput): Record<string, unknown> {
  const { now, secrets } = input;
  const failure = (run: () => unknown) => {
    try {
      return { returned: run() };
    } catch (err) {
      return err instanceof api.HashHelperError
        ? { name: err.name, code: err.code, offset: err.span.offset }
        : { thrown: String(err) };
    }
  };
  return {
    moz: api.expand(input.moz, { now }),
    families: api.expand(input.families, { now, secrets }),
    evaluate: api.evaluate(input.expression, { now, secrets }),
    signed: api.signRequest(input.request, { now, secrets }),
    missingSecret: failure(() => api.expand(input.missingSecret, { now })),
    misspelt: failure(() => api.expand(input.misspelt, { now })),
  };
}

/** RFC 3986 §2.3: everything but the unreserved characters is percent-encoded. */
const rfc3986 = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function byHand(): Record<string, unknown> {
  const expires = String(Math.floor(now / 1000) + 240);
  const mozSignature = rfc3986(createHmac("sha1", key).update(`${accessId}\n${expires}`).digest("base64"));
  const day = new Date(now).toISOString().slice(0, 10).replaceAll("-", "");
  const mac = createHmac("sha256", secrets.api_key).update(`GET\n${now}`).digest("hex");
  const md5 = createHash("md5").update("abc").digest("hex");
  const b64 = Buffer.from("4a656665", "hex").toString("base64url");
  const ed = rfc3986(sign(null, Buffer.from("timestamp.body"), ed25519Key).toString("base64"));
  const bodyDigest = createHash("sha256").update(body).digest("hex");
  return {
    moz: moz.replace("{hash.getExpiryTime(240);}", expires).replace(/\{hash\.append\(.*;\}$/, mozSignature),
    families: `https://api.example.com/v1/items?ts=${now}&day=${day}&mac=${mac}&md5=${md5}&b64=${b64}&text=MIXED%20CASE&ed=${ed}`,
    evaluate: createHmac("sha512", secrets.api_key).update("data").digest("base64"),
    signed: {
      method: "POST",
      url: "https://api.example.com/orders?b=2&a=1",
      body,
      headers: [
        ["Content-Type", "application/json"],
        ["X-Signature", createHmac("sha256", secrets.api_key).update(`POST\n/orders\n${bodyDigest}`).digest("base64")],
      ],
    },
    missingSecret: {
      name: "HashHelperError",
      code: "MISSING_SECRET",
      offset: caseInput.missingSecret.indexOf("getSecret"),
    },
    misspelt: { name: "HashHelperError", code: "UNKNOWN_METHOD", offset: caseInput.misspelt.indexOf("apend") },
  };
}

/**
 * The page's one script. A violation event is queued as a task, so each step ends with a
 * macrotask before its violations are read; the control shows that this is long enough.
 */
const main = `
const violations = [];
addEventListener("securitypolicyviolation", (e) => {
  violations.push(e.effectiveDirective + " " + e.blockedURI + " " + e.disposition);
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const workload = (${workload.toString()});
const cases = (${cases.toString()});
const report = {};
try {
  // Imported after the listener is in place, so that the bundle's own start-up is watched too.
  const api = await import("/browser.js");
  report.workload = workload(api, ${JSON.stringify(input)});
  report.cases = cases(api, ${JSON.stringify(caseInput)});
} catch (err) {
  report.failed = String((err && err.stack) || err);
}
await settle();
report.violations = violations.splice(0);
// The control: this page refuses code made from strings, so a bundle that made any would have
// thrown or been reported above.
const attempt = (run) => {
  try {
    run();
    return "ran";
  } catch (err) {
    return err.name;
  }
};
report.control = [attempt(() => new Function("return 1")), attempt(() => eval("1"))];
await settle();
report.controlViolations = violations.splice(0);
await fetch("/report", { method: "POST", body: JSON.stringify(report) });
`;

describe.skipIf(!haveChromium)(`dist/browser.js in Chromium under Content-Security-Policy: ${policy}`, () => {
  const browser = chromiumForSuite();

  it("gives node:crypto's results and the sources', with no violation, where eval is refused", async () => {
    const context = await browser().newContext({ bypassCSP: false });
    const page = await context.newPage();
    const logged = pageLog(page);
    await page.route(`${origin}/**`, (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path === "/") {
        return route.fulfill({
          contentType: "text/html",
          headers: { "Content-Security-Policy": policy },
          body: `<!doctype html><meta charset="utf-8"><title>hash-helper</title><script type="module" src="/main.js"></script>`,
        });
      }
      if (path === "/main.js") return route.fulfill({ contentType: "text/javascript", body: main });
      if (path === "/browser.js") {
        return route.fulfill({ contentType: "text/javascript", body: readFileSync(dist("browser.js")) });
      }
      if (path === "/report") return route.fulfill({ status: 204 });
      return route.fulfill({ status: 404 });
    });
    const reported = page.waitForRequest(`${origin}/report`, { timeout: 10_000 });
    await page.goto(`${origin}/`);
    const report = JSON.parse((await reported).postData() ?? "null");
    await context.close();

    expect(report.failed).toBeUndefined();
    expect(report.cases).toStrictEqual(byHand());
    expect(report.workload).toStrictEqual(JSON.parse(JSON.stringify(expected)));
    expect(report.violations).toStrictEqual([]);
    expect(report.control).toStrictEqual(["EvalError", "EvalError"]);
    expect(report.controlViolations).toStrictEqual(["script-src eval enforce", "script-src eval enforce"]);
    expect(logged).toStrictEqual([]);
  }, 30_000);
});
