// hash-helper/codemirror in a real EditorView in Chromium: dist/codemirror.js as a host gets it
// (esbuild resolves "hash-helper/codemirror" and "hash-helper" through the package's exports, with
// one copy of CodeMirror), typed into with the keyboard and hovered with the mouse. The oracles
// are node:crypto for the live value and the method table for hover and completion.
import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { methods, signature } from "../../src/index.ts";
import { chromiumForSuite, haveChromium, pageLog } from "../bundle/chromium.ts";
import { type StaticServer, servePage } from "./server.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const now = Date.UTC(2025, 0, 1, 12, 30, 15);
const secret = { name: "api_key", value: "s3cr3t-VALUE-never-shown" };

/** A request whose signature goes into the query as base64 without encodeURL(): BASE64_NOT_URL_ENCODED. */
const REAL = [
  "GET https://api.example.test/x",
  '    ?s={hash.append("a").encodeHmacSha1(hash.getSecret("k"))',
  "    .encodeBase64().printDigest();}",
].join("\n");

// The page: one editor with everything, live panel included, and a host function of its own;
// one whose lint() is a host's stand-in that reports a fix, to apply it from the tooltip.
const page = `
import { completionKeymap } from "@codemirror/autocomplete";
import { forEachDiagnostic } from "@codemirror/lint";
import { EditorView, keymap } from "@codemirror/view";
import { createHashHelper } from "hash-helper";
import { hashHelper } from "hash-helper/codemirror";
// The .http request line and the indented lines that continue its URL, as the format joins them.
const requestOf = (text) => {
  const [first, ...rest] = text.split("\\n");
  const [method, url] = first.split(" ");
  return { method, url: url + rest.map((l) => l.trim()).join(""), headers: [] };
};

const helper = createHashHelper({
  methods: [{ name: "getAccountId", summary: "The dashboard account's id", example: "hash.getAccountId()", run: () => "acct-42" }],
});
const values = [];
const main = new EditorView({
  parent: document.getElementById("main"),
  extensions: [
    keymap.of(completionKeymap),
    hashHelper({
      helper,
      secrets: { ${JSON.stringify(secret.name)}: ${JSON.stringify(secret.value)} },
      lintDelay: 50,
      live: { now: () => ${now}, delay: 50, onValue: (v) => values.push(v.kind) },
    }),
  ],
});
const fixed = {
  ...helper,
  lint: (text) => {
    const at = text.indexOf("encodeSha1");
    if (at < 0) return [];
    const span = { offset: at, length: 10, line: 1, column: at + 1 };
    return [{ code: "TEST_RULE", severity: "warning", message: "a test finding", hint: "a test hint", span,
      excerpt: { text, caretColumn: at, caretLength: 10 }, fix: { span, text: "encodeSha256", title: "use SHA-256" } }];
  },
};
const fix = new EditorView({
  parent: document.getElementById("fix"),
  doc: '{hash.append("a").encodeSha1().toHex().printDigest();}',
  extensions: [hashHelper({ helper: fixed, lintDelay: 50 })],
});
const diagnostics = (view) => {
  const found = [];
  forEachDiagnostic(view.state, (d, from, to) => found.push({ from, to, severity: d.severity, source: d.source, message: d.message }));
  return found;
};
// The package's own lint rules on a whole .http request, its URL continued on an indented line,
// read as the .http format does: a real rule's fix, applied at its place in the text.
const real = new EditorView({
  parent: document.getElementById("real"),
  doc: ${JSON.stringify(REAL)},
  extensions: [hashHelper({ helper, secrets: { k: "v" }, request: requestOf, lintDelay: 50 })],
});
window.hh = { main, fix, real, values, diagnostics };
`;

const html = `<!doctype html><meta charset="utf-8"><title>editor</title>
<link rel="icon" href="data:,">
<style>body { font: 14px monospace; } #main, #fix, #real { width: 900px; margin: 40px; }</style>
<div id="main"></div><div id="fix"></div><div id="real"></div><script type="module" src="/page.js"></script>`;

type Hh = {
  hh: {
    main: import("@codemirror/view").EditorView;
    fix: import("@codemirror/view").EditorView;
    real: import("@codemirror/view").EditorView;
    values: string[];
    diagnostics(view: unknown): { from: number; to: number; severity: string; source: string; message: string }[];
  };
};

describe.skipIf(!haveChromium)("hash-helper/codemirror in an EditorView in Chromium", () => {
  const browser = chromiumForSuite();
  let server: StaticServer;
  let tab: Page;
  let logged: string[];

  beforeAll(async () => {
    server = await servePage(page, html, root);
  }, 60_000);
  afterAll(() => server?.close());

  beforeEach(async () => {
    tab = await browser().newPage();
    logged = pageLog(tab);
    await tab.goto(`${server.origin}/`);
    await tab.waitForFunction(() => "hh" in window);
    return async () => {
      expect(logged).toStrictEqual([]);
      await tab.close();
    };
  });

  /** Empties the main editor and types into it, key by key. */
  async function type(text: string) {
    await tab.evaluate(() => {
      const { main } = (window as unknown as Hh).hh;
      main.dispatch({ changes: { from: 0, to: main.state.doc.length } });
      main.focus();
    });
    await tab.keyboard.type(text);
  }
  /** Enter on the completion: CodeMirror takes no key in its first 75 ms (interactionDelay), against accidents. */
  async function accept() {
    await tab.waitForTimeout(120);
    await tab.keyboard.press("Enter");
  }
  const doc = () => tab.evaluate(() => (window as unknown as Hh).hh.main.state.doc.toString());
  const cursor = () => tab.evaluate(() => (window as unknown as Hh).hh.main.state.selection.main.head);

  it("highlights what is typed, and shows its value, computed with the host's secret, in the live panel", async () => {
    const template = `x={hash.append("id").encodeHmacSha1(hash.getSecret("api_key")).toHex().printDigest();}&k={hash.append("a").encodeHmacSha256("k3y").toHex().printDigest();}`;
    await type(template);
    expect(await doc()).toBe(template);
    // Read in one evaluation in the page. Playwright's allTextContents() finds the elements in one
    // call and reads them in another: when the lint marks land in between, CodeMirror moves each
    // text node into the mark that now wraps it, and the element found first reads "" (detached).
    const texts = (selector: string) =>
      tab.evaluate((s) => Array.from(document.querySelectorAll(s), (e) => e.textContent), `#main ${selector}`);
    // Polled: the highlighting of what was typed last can land after the document has it.
    await expect.poll(() => texts(".cm-hh-secretName")).toStrictEqual([`"api_key"`]);
    expect(await texts(".cm-hh-method")).toStrictEqual([
      "append",
      "encodeHmacSha1",
      "getSecret",
      "toHex",
      "printDigest",
      "append",
      "encodeHmacSha256",
      "toHex",
      "printDigest",
    ]);
    expect(await texts(".cm-hh-key")).toStrictEqual([`"k3y"`]);
    expect(await texts(".cm-hh-string")).toStrictEqual([`"id"`, `"a"`]);
    expect(await texts(".cm-hh-delimiter")).toStrictEqual(["{", "}", "{", "}"]);
    // Text outside the blocks is left alone.
    expect((await texts(".cm-hh-block")).join("")).not.toContain("x=");

    const mac = createHmac("sha1", secret.value).update("id").digest("hex");
    const mac2 = createHmac("sha256", "k3y").update("a").digest("hex");
    await expect.poll(() => tab.locator("#main .cm-hh-live-output").textContent()).toBe(`x=${mac}&k=${mac2}`);
    const trace = await tab.locator("#main .cm-hh-trace").textContent();
    expect(trace).toContain(`encodeHmacSha1(hash.getSecret("api_key"))`);
    // The key literal is masked in the trace; the secret's value is nowhere in the page.
    expect(trace).not.toContain("k3y");
    expect(await tab.content()).not.toContain(secret.value);
  }, 20_000);

  it("completes a method after a dot with its parentheses, the cursor inside them", async () => {
    await type("{hash.app");
    const popup = tab.locator("#main .cm-tooltip-autocomplete");
    await expect.poll(() => popup.locator("li[aria-selected]").textContent()).toContain("append");
    expect(await popup.textContent()).toContain(signature(methods.get("append") as never));
    await accept();
    expect(await doc()).toBe("{hash.append()");
    expect(await cursor()).toBe("{hash.append(".length);

    // Out of the parentheses the completion wrote, to call a method after it.
    await tab.keyboard.type(`"x"`);
    await tab.keyboard.press("End");
    await tab.keyboard.type(".encodeM");
    await expect.poll(() => popup.locator("li[aria-selected]").textContent()).toContain("encodeMd5");
    await accept();
    expect(await doc()).toBe(`{hash.append("x").encodeMd5()`);
    // No argument: the cursor goes past the parentheses.
    expect(await cursor()).toBe(`{hash.append("x").encodeMd5()`.length);
  }, 20_000);

  it("offers the host's functions after hash., and the names of its secrets in getSecret(\"", async () => {
    await type("{hash.getAcc");
    const popup = tab.locator("#main .cm-tooltip-autocomplete");
    await expect.poll(() => popup.locator("li[aria-selected]").textContent()).toContain("getAccountId");
    await accept();
    expect(await doc()).toBe("{hash.getAccountId()");

    await type(`{hash.append(hash.getSecret("`);
    await expect
      .poll(() => popup.locator("li").allTextContents())
      .toStrictEqual([expect.stringContaining(secret.name)]);
    expect(await tab.content()).not.toContain(secret.value);
    await accept();
    expect(await doc()).toBe(`{hash.append(hash.getSecret("api_key"`);
  }, 20_000);

  it("underlines an error under its characters, with its hint", async () => {
    const template = `a={hash.apend("x").printDigest();}`;
    await type(template);
    const range = tab.locator("#main .cm-lintRange-error");
    await expect.poll(() => range.allTextContents()).toStrictEqual(["apend"]);
    const found = await tab.evaluate(() => {
      const { hh } = window as unknown as Hh;
      return hh.diagnostics(hh.main);
    });
    const at = template.indexOf("apend");
    expect(found).toMatchObject([{ from: at, to: at + 5, severity: "error", source: "UNKNOWN_METHOD" }]);
    // The hint is the "did you mean" of the table.
    expect(found[0]?.message).toContain("append");
    await range.hover();
    await expect.poll(() => tab.locator("#main .cm-tooltip-lint").textContent()).toContain("did you mean");
  }, 20_000);

  it("shows a method's signature, summary and example on hover", async () => {
    await type(`{hash.append("a").encodeHmacSha1("k").encodeBase64().printDigest();}`);
    const name = tab.locator("#main .cm-hh-method", { hasText: "encodeHmacSha1" });
    await name.hover();
    const tooltip = tab.locator("#main .cm-tooltip-hover .cm-hh-hover");
    const method = methods.get("encodeHmacSha1");
    if (!method) throw new Error("no encodeHmacSha1 in the table");
    await expect.poll(() => tooltip.locator("code").textContent()).toBe(signature(method));
    expect(await tooltip.locator("p").textContent()).toBe(method.summary);
    expect(await tooltip.locator("pre").textContent()).toBe(method.example);
  }, 20_000);

  it("applies a lint rule's fix from the diagnostic's action", async () => {
    const range = tab.locator("#fix .cm-lintRange-warning");
    await expect.poll(() => range.allTextContents()).toStrictEqual(["encodeSha1"]);
    await range.hover();
    const action = tab.locator("#fix .cm-tooltip-lint button", { hasText: "use SHA-256" });
    await action.click();
    const text = await tab.evaluate(() => (window as unknown as Hh).hh.fix.state.doc.toString());
    expect(text).toBe('{hash.append("a").encodeSha256().toHex().printDigest();}');
  });

  it("applies a real lint rule's fix (BASE64_NOT_URL_ENCODED) at its place in a .http request whose URL goes on over a line", async () => {
    const range = tab.locator("#real .cm-lintRange-warning");
    await expect.poll(() => range.allTextContents()).toStrictEqual(["encodeBase64()"]);
    const found = await tab.evaluate(() => {
      const { hh } = window as unknown as Hh;
      return hh.diagnostics(hh.real);
    });
    const at = REAL.indexOf("encodeBase64()");
    expect(found).toMatchObject([{ from: at, to: at + "encodeBase64()".length, source: "BASE64_NOT_URL_ENCODED" }]);
    await range.hover();
    const action = tab.locator("#real .cm-tooltip-lint button", { hasText: "URL-encode the base64" });
    await action.click();
    const text = await tab.evaluate(() => (window as unknown as Hh).hh.real.state.doc.toString());
    expect(text).toBe(REAL.replace("encodeBase64()", "encodeBase64().encodeURL()"));
    // Fixed, the rule finds nothing more.
    await expect.poll(() => tab.locator("#real .cm-lintRange-warning").count()).toBe(0);
  });
});
