// The playground end to end: built with Vite from playground/ (into a folder of its own, so the
// test never reads a stale build), served from 127.0.0.1 with no header of ours, so the policy
// in force is the page's own <meta> (`default-src 'self'`), and driven in Chromium. The oracles
// are node:crypto by hand; the Moz template is read from the README's quick start.
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumForSuite, haveChromium, pageLog } from "../bundle/chromium.ts";
import { type StaticServer, serve } from "../codemirror/server.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const policy = "default-src 'self'";
const now = Date.UTC(2025, 0, 1, 12, 30, 15);

const readme = readFileSync(join(root, "README.md"), "utf8");
const moz = /node dist\/cli\.cjs expand '([^']+)'/.exec(readme)?.[1];

/** RFC 3986 §2.3: everything but the unreserved characters is percent-encoded. */
const rfc3986 = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The quick start's URL with its Expires and Signature computed here, as Moz documents them. */
function mozByHand(template: string): string {
  const accessId = /AccessID=([^&]+)/.exec(template)?.[1] as string;
  const key = /encodeHmacSha1\("([^"]+)"\)/.exec(template)?.[1] as string;
  const expires = String(Math.floor(now / 1000) + 240);
  const signature = rfc3986(createHmac("sha1", key).update(`${accessId}\n${expires}`).digest("base64"));
  return template.replace("{hash.getExpiryTime(240);}", expires).replace(/\{hash\.append\(.*;\}$/, signature);
}

interface Seen {
  url: string;
  headers: Record<string, string>;
  body: string;
}

describe.skipIf(!haveChromium)("the playground, built, in Chromium", () => {
  const browser = chromiumForSuite();
  let out: string;
  let server: StaticServer;
  let context: BrowserContext;
  let page: Page;
  let logged: string[];
  const requests: Seen[] = [];

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "hash-helper-playground-"));
    await build({ configFile: join(root, "playground/vite.config.ts"), logLevel: "warn", build: { outDir: out } });
    server = await serve(out);
    context = await browser().newContext({ viewport: { width: 1280, height: 860 }, bypassCSP: false });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.origin });
    page = await context.newPage();
    logged = pageLog(page);
    page.on("request", (r) => requests.push({ url: r.url(), headers: r.headers(), body: r.postData() ?? "" }));
    await page.addInitScript(() => {
      const seen: string[] = [];
      Object.assign(window, { violations: seen });
      addEventListener("securitypolicyviolation", (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
      const long: number[] = [];
      Object.assign(window, { longTasks: long });
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) long.push(e.duration);
      }).observe({ type: "longtask" });
    });
    await page.goto(`${server.origin}/`);
    await page.locator(".cm-content").waitFor();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const violations = () => page.evaluate(() => (window as unknown as { violations: string[] }).violations);

  it("sets the policy in its page, and nothing in it needs more", () => {
    const html = readFileSync(join(out, "index.html"), "utf8");
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${policy}" />`);
    // The policy comes before anything it governs.
    expect(html.indexOf("Content-Security-Policy")).toBeLessThan(html.search(/<script|<link/));
    expect(html).not.toMatch(/<style|<script(?![^>]*\bsrc=)|\sstyle=|\son\w+=/);
  });

  it("signs the quick start's Moz template, typed, with the clock frozen, as node:crypto does", async () => {
    if (!moz) throw new Error("README.md has no quick start command");
    await page.getByTestId("now").fill(new Date(now).toISOString());
    const editor = page.getByTestId("template").locator(".cm-content");
    await editor.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.press("Delete");
    await page.keyboard.type(moz);
    await expect.poll(() => page.getByTestId("output").textContent(), { timeout: 5000 }).toBe(mozByHand(moz));
    const trace = (await page.getByTestId("trace").textContent()) ?? "";
    expect(trace).toContain("encodeHmacSha1");
    expect(trace).toContain(String(Math.floor(now / 1000) + 240));
    // The key written into the template is masked in the trace.
    expect(trace).not.toContain("0123456789abcdef0123456789abcdef");
    // CodeMirror's own styles reached the editor (a constructed sheet in its shadow root).
    const display = await page
      .getByTestId("template")
      .locator(".cm-editor")
      .evaluate((e) => getComputedStyle(e).display);
    expect(display).toBe("flex");
    // The README's picture, with the editor unfocused and animations stopped (its cursor blinks).
    // Chromium's pixels still differ by a few from run to run, so a run writes docs/playground.png
    // only when it is missing or HASH_HELPER_SCREENSHOT=1 asks for it.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    const picture = join(root, "docs/playground.png");
    const update = process.env.HASH_HELPER_SCREENSHOT === "1" || !existsSync(picture);
    const shot = await page.screenshot({ ...(update ? { path: picture } : {}), animations: "disabled" });
    expect(shot.subarray(1, 4).toString("latin1")).toBe("PNG");

    // The share link carries the template with its key redacted, one bullet a character.
    await page.getByRole("button", { name: "Share link" }).click();
    const link = new URL(await page.locator("#share-link").inputValue());
    const shared = new URLSearchParams(link.hash.slice(1)).get("t") ?? "";
    expect(shared).toBe(moz.replace("0123456789abcdef0123456789abcdef", "\u2022".repeat(32)));
    expect(await page.evaluate(() => location.hash)).toBe(link.hash);
  }, 30_000);

  it("loads the Unleashed recipe and signs it with a secret that appears nowhere", async () => {
    const value = `unleashed-${randomBytes(12).toString("hex")}`;
    await page.getByLabel("Example").selectOption("unleashed");
    await page.getByTestId("secrets").getByLabel("secret name").fill("unleashed");
    await page.getByTestId("secrets").getByLabel("secret value").fill(value);
    await page.getByTestId("secrets").getByRole("button", { name: "Add" }).click();
    const signature = createHmac("sha256", value).update("customerCode=ACME").digest("base64");
    const output = page.getByTestId("output");
    await expect.poll(() => output.textContent(), { timeout: 5000 }).toContain(`api-auth-signature: ${signature}`);
    expect(await output.textContent()).toMatch(
      /^GET https:\/\/api\.unleashedsoftware\.com\/Customers\?customerCode=ACME\n/,
    );
    expect(await page.getByTestId("secrets").textContent()).toContain("unleashed");

    // The share link and copy as curl, which sign and write: neither may carry the secret.
    await page.getByRole("button", { name: "Share link" }).click();
    await page.getByRole("button", { name: "Copy as curl" }).click();
    await expect.poll(() => page.locator("#copied").textContent()).toBe("copied");
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    expect(curl).toContain(`-H 'api-auth-signature: ${signature}'`);
    expect(curl).toContain("'https://api.unleashedsoftware.com/Customers?customerCode=ACME'");

    const shown = await page.evaluate(() => {
      // Every element's text, attributes and field values, in the document and its shadow roots.
      const texts: string[] = [];
      const visit = (node: Document | ShadowRoot) => {
        for (const element of Array.from(node.querySelectorAll("*"))) {
          texts.push(element.textContent ?? "");
          for (const attribute of Array.from(element.attributes)) texts.push(attribute.value);
          if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) texts.push(element.value);
          if (element.shadowRoot) visit(element.shadowRoot);
        }
      };
      visit(document);
      const storage = (s: Storage) => Object.keys(s).map((k) => `${k}=${s.getItem(k)}`);
      return {
        texts,
        local: storage(localStorage),
        session: storage(sessionStorage),
        href: location.href,
        title: document.title,
      };
    });
    expect(shown.texts.length).toBeGreaterThan(50);
    expect(shown.texts.filter((t) => t.includes(value))).toStrictEqual([]);
    expect(shown.local.join("\n")).not.toContain(value);
    expect(shown.session.join("\n")).not.toContain(value);
    expect(shown.href).toContain("#t=");
    expect(shown.href).not.toContain(value);
    const asked = [...requests, ...server.asked.map((a) => ({ url: a.url, headers: a.headers, body: a.body }))];
    expect(asked.filter((r) => JSON.stringify(r).includes(value))).toStrictEqual([]);
  }, 30_000);

  type Playground = {
    playground: { work: Record<string, number>; view: import("@codemirror/view").EditorView };
  };
  const work = () => page.evaluate(() => ({ ...(window as unknown as Playground).playground.work }));
  const setText = (text: string) =>
    page.evaluate((t) => {
      const { view } = (window as unknown as Playground).playground;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: t } });
    }, text);
  const shareLink = () => page.locator("#share-link").inputValue();

  it("with 60 KB pasted and the clock frozen, computes nothing while idle", async () => {
    await page.getByTestId("now").fill(new Date(now).toISOString());
    const block = `x={hash.append("abc").encodeHmacSha1("k3y").encodeBase64().printDigest();}&`;
    await setText(block.repeat(800));
    const mac = createHmac("sha1", "k3y").update("abc").digest("base64");
    await expect.poll(() => page.getByTestId("output").textContent(), { timeout: 20_000 }).toContain(`x=${mac}&`);
    // Quiet: the last value shown, nothing else pending (debounces of 150 and 300 ms).
    await page.waitForTimeout(1500);
    const idle = await work();
    expect((idle.explain ?? 0) + (idle.explainRequest ?? 0)).toBeGreaterThan(0);
    const longTasks = () => page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks.splice(0));
    await longTasks();
    await page.waitForTimeout(3000);
    expect(await work()).toStrictEqual(idle);
    const during = await longTasks();
    console.log(
      `playground, 60 KB, idle 3 s on a frozen clock: ${during.length} long tasks, max ${Math.max(0, ...during)} ms`,
    );
    // Typing into the middle of it, key by key: the long tasks while typing, for the report.
    await page.evaluate(() => {
      const { view } = (window as unknown as Playground).playground;
      const at = view.state.doc.toString().indexOf('"abc"', 30_000) + 4;
      view.dispatch({ selection: { anchor: at } });
      view.focus();
    });
    await page.keyboard.type("defghijklm", { delay: 30 });
    const typing = await longTasks();
    console.log(`playground, 60 KB, 10 keystrokes: ${typing.length} long tasks, max ${Math.max(0, ...typing)} ms`);
    await page.keyboard.press("Control+z");
    await page.waitForTimeout(1500);
    const after = await work();
    await page.waitForTimeout(3000);
    expect(await work()).toStrictEqual(after);
    // The trace shows its first rows and says how many more there are.
    expect(await page.getByTestId("trace").locator("tbody tr").count()).toBe(501);
    expect(await page.getByTestId("trace").textContent()).toContain("more steps");
  }, 60_000);

  it("refuses to share a template over maxTemplateLength, says why, and clears the last link", async () => {
    await setText(`a={hash.append("x").encodeHmacSha1("k3y").toHex().printDigest();}`);
    await page.getByRole("button", { name: "Share link" }).click();
    expect(await shareLink()).toContain("#t=");
    await setText("x".repeat(70_000));
    await page.getByRole("button", { name: "Share link" }).click();
    expect(await shareLink()).toBe("");
    expect(await page.locator("#share-note").textContent()).toContain("longer than 65536 characters");
    expect(await page.evaluate(() => location.hash)).toBe("");
    expect(logged).toStrictEqual([]);
  }, 30_000);

  it("refuses to share a lone surrogate, which a link would change into U+FFFD", async () => {
    await setText(`a={hash.append("\uD83D").toHex().printDigest();}`);
    await page.getByRole("button", { name: "Share link" }).click();
    expect(await shareLink()).toBe("");
    expect(await page.locator("#share-note").textContent()).toContain("surrogate");
    // A whole pair is carried as it is.
    await setText(`a={hash.append("\uD83D\uDE00").toHex().printDigest();}`);
    await page.getByRole("button", { name: "Share link" }).click();
    const link = new URL(await shareLink());
    expect(new URLSearchParams(link.hash.slice(1)).get("t")).toBe(
      `a={hash.append("\uD83D\uDE00").toHex().printDigest();}`,
    );
    expect(await page.locator("#share-note").textContent()).toBe("");
  }, 30_000);

  it("copies as curl with the headers curl would add removed, and refuses a HEAD with a body", async () => {
    await setText(["HEAD https://api.example.test/x", "", "a body"].join("\n"));
    await page.getByRole("button", { name: "Copy as curl" }).click();
    await expect.poll(() => page.locator("#copied").textContent()).toContain("not copied: a HEAD request has no body");
    await setText(["POST https://api.example.test/x?y=[1]", "X-Empty: ", "", "{}"].join("\n"));
    await page.getByRole("button", { name: "Copy as curl" }).click();
    await expect.poll(() => page.locator("#copied").textContent()).toBe("copied");
    const curl = await page.evaluate(() => navigator.clipboard.readText());
    expect(curl).toContain("--globoff");
    expect(curl).toContain("-H 'X-Empty;'");
    expect(curl).toContain("-H 'Content-Type:'");
  }, 30_000);

  it("loaded nothing from another origin and broke no rule of its policy, which is in force", async () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((r) => !r.url.startsWith(`${server.origin}/`))).toStrictEqual([]);
    expect(await violations()).toStrictEqual([]);
    expect(logged).toStrictEqual([]);
    // The control: a <style> element, which CodeMirror would write outside a shadow root, is refused.
    await page.evaluate(() => {
      const style = document.createElement("style");
      style.textContent = "body { color: red }";
      document.head.append(style);
    });
    await expect.poll(violations).toStrictEqual([expect.stringMatching(/^style-src-elem inline/)]);
  });
});
