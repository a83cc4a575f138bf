// hash-helper/codemirror on a large text, in Chromium: 800 blocks (60 KB) pasted into an editor
// with the live value on a frozen clock that ticks every second. The work is counted (calls of
// the instance's explain, lint, compile and redact, and the characters redact() was given), not
// timed: the time per keystroke is printed for the report, never asserted, since two cores are
// shared with other work. Idle with the clock frozen, nothing may run again; a keystroke may
// re-read the block it changed, not the document.
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumForSuite, haveChromium, pageLog } from "../bundle/chromium.ts";
import { type StaticServer, servePage } from "./server.ts";

const root = fileURLToPath(new URL("../..", import.meta.url));
const now = Date.UTC(2025, 0, 1, 12, 30, 15);
const BLOCK = `x={hash.append("abc").encodeHmacSha1("k3y").encodeBase64().printDigest();}&`;
const doc = BLOCK.repeat(800);

const page = `
import { EditorView } from "@codemirror/view";
import { createHashHelper } from "hash-helper";
import { hashHelper } from "hash-helper/codemirror";

const WRAP = ${process.env.HH_WRAP === "1"};
const base = createHashHelper();
const work = { explain: 0, explainRequest: 0, lint: 0, compile: 0, redact: 0, redacted: 0 };
const helper = {
  ...base,
  explain: (...a) => (work.explain++, base.explain(...a)),
  explainRequest: (...a) => (work.explainRequest++, base.explainRequest(...a)),
  lint: (...a) => (work.lint++, base.lint(...a)),
  compile: (...a) => (work.compile++, base.compile(...a)),
  redact: (t, ...a) => (work.redact++, (work.redacted += t.length), base.redact(t, ...a)),
};
let frozen = ${now};
let running = false;
const values = [];
const view = new EditorView({
  parent: document.getElementById("main"),
  extensions: [
    ...(WRAP ? [EditorView.lineWrapping] : []),
    hashHelper({
      helper,
      lintDelay: 300,
      live: { now: () => (running ? undefined : frozen), delay: 150, refresh: 300, onValue: (v) => values.push(v) },
    }),
  ],
});
const timed = [];
const dispatch = view.dispatch.bind(view);
view.dispatch = (...a) => {
  const t = performance.now();
  dispatch(...a);
  timed.push(performance.now() - t);
};
const long = [];
new PerformanceObserver((list) => { for (const e of list.getEntries()) long.push(e.duration); }).observe({ type: "longtask" });
// The same text in an editor without the extension: what CodeMirror itself costs a keystroke.
const bare = new EditorView({ parent: document.getElementById("bare"), extensions: WRAP ? [EditorView.lineWrapping] : [] });
const bareTimed = [];
const bareDispatch = bare.dispatch.bind(bare);
bare.dispatch = (...a) => {
  const t = performance.now();
  bareDispatch(...a);
  bareTimed.push(performance.now() - t);
};
window.hh = { view, bare, bareTimed, work, values, timed, long, run: (r) => { running = r; }, freeze: (t) => { frozen = t; } };
`;

const html = `<!doctype html><meta charset="utf-8"><title>large</title>
<link rel="icon" href="data:,">
<style>body { font: 14px monospace; } #main, #bare { width: 900px; height: 600px; overflow: auto; margin: 20px; }</style>
<div id="main"></div><div id="bare"></div><script type="module" src="/page.js"></script>`;

type Work = {
  explain: number;
  explainRequest: number;
  lint: number;
  compile: number;
  redact: number;
  redacted: number;
};
type Hh = {
  hh: {
    view: import("@codemirror/view").EditorView;
    bare: import("@codemirror/view").EditorView;
    bareTimed: number[];
    work: Work;
    values: { kind: string; output?: unknown }[];
    timed: number[];
    long: number[];
    run(running: boolean): void;
    freeze(at: number): void;
  };
};

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => (s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0).toFixed(1);
  return `n=${s.length} median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms`;
};

describe.skipIf(!haveChromium)("a 60 KB template in an EditorView in Chromium", () => {
  const browser = chromiumForSuite();
  let server: StaticServer;
  let tab: Page;
  let logged: string[];

  beforeAll(async () => {
    server = await servePage(page, html, root);
    tab = await browser().newPage();
    logged = pageLog(tab);
    await tab.goto(`${server.origin}/`);
    await tab.waitForFunction(() => "hh" in window);
  }, 60_000);
  afterAll(async () => {
    expect(logged).toStrictEqual([]);
    await tab?.close();
    await server?.close();
  });

  const work = () => tab.evaluate(() => ({ ...(window as unknown as Hh).hh.work }));
  const settle = async () => {
    // Quiet until nothing ran for a while (the debounces are 150 and 300 ms).
    let before = JSON.stringify(await work());
    for (let i = 0; i < 8; i++) {
      await tab.waitForTimeout(700);
      const after = JSON.stringify(await work());
      if (after === before) return;
      before = after;
    }
  };

  it("pasted, then typed into: a keystroke re-reads its block, and nothing runs while idle on a frozen clock", async () => {
    await tab.evaluate((text) => {
      const { view } = (window as unknown as Hh).hh;
      view.dispatch({ changes: { from: 0, insert: text }, userEvent: "input.paste" });
    }, doc);
    await settle();
    const pasted = await work();
    expect(pasted.explain).toBeGreaterThan(0);

    // Idle, the clock frozen and ticking (refresh 300 ms): nothing runs again.
    await tab.waitForTimeout(2000);
    expect(await work()).toStrictEqual(pasted);

    // Typing into a block in the middle, key by key.
    await tab.evaluate(() => {
      const { view, timed, long } = (window as unknown as Hh).hh;
      const at = view.state.doc.toString().indexOf('"abc"', 30_000) + 4;
      view.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      view.focus();
      timed.length = 0;
      long.length = 0;
    });
    const before = await work();
    const keys = "defghijklmnopqrstuvw";
    await tab.keyboard.type(keys, { delay: 30 });
    const typed = await tab.evaluate(() => {
      const { timed, long, work } = (window as unknown as Hh).hh;
      return { timed: [...timed], long: [...long], work: { ...work } };
    });
    console.log(
      `60 KB, ${keys.length} keystrokes: dispatch ${stats(typed.timed)}; long tasks while typing: ${typed.long.length} (${stats(typed.long)})`,
    );
    console.log(
      `marks in the DOM: ${await tab.locator("#main .cm-hh-method").count()} methods, lint ${await tab.locator("#main .cm-lintRange").count()}`,
    );
    // What the keystrokes gave redact(): at most a few blocks each, never the document.
    const redacted = typed.work.redacted - before.redacted;
    expect(redacted).toBeLessThan(keys.length * 4 * BLOCK.length);
    await settle();

    // The baseline: the same keys in an editor without the extension.
    await tab.evaluate((text) => {
      const { bare } = (window as unknown as Hh).hh;
      bare.dispatch({ changes: { from: 0, insert: text } });
      const at = text.indexOf('"abc"', 30_000) + 4;
      bare.dispatch({ selection: { anchor: at }, scrollIntoView: true });
      bare.focus();
      (window as unknown as Hh).hh.bareTimed.length = 0;
    }, doc);
    await tab.waitForTimeout(500);
    await tab.evaluate(() => {
      (window as unknown as Hh).hh.long.length = 0;
    });
    await tab.keyboard.type(keys, { delay: 30 });
    const bare = await tab.evaluate(() => ({
      timed: [...(window as unknown as Hh).hh.bareTimed],
      long: [...(window as unknown as Hh).hh.long],
    }));
    console.log(
      `60 KB without the extension, ${keys.length} keystrokes: dispatch ${stats(bare.timed)}; long tasks ${bare.long.length} (${stats(bare.long)})`,
    );
    await tab.evaluate(() =>
      (window as unknown as Hh).hh.bare.dispatch({
        changes: { from: 0, to: (window as unknown as Hh).hh.bare.state.doc.length },
      }),
    );

    // Idle again: the ticker runs nothing, the long tasks stop.
    const idle = await work();
    await tab.evaluate(() => {
      (window as unknown as Hh).hh.long.length = 0;
    });
    await tab.waitForTimeout(2000);
    expect(await work()).toStrictEqual(idle);
    const longIdle = await tab.evaluate(() => [...(window as unknown as Hh).hh.long]);
    console.log(`60 KB idle, clock frozen, 2 s: ${longIdle.length} long tasks (${stats(longIdle)})`);

    // The frozen instant moved: one run for it, then quiet again.
    await tab.evaluate(() => (window as unknown as Hh).hh.freeze(Date.UTC(2026, 0, 1)));
    await expect.poll(async () => (await work()).explain, { timeout: 5000 }).toBe(idle.explain + 1);
  }, 120_000);

  it("a running clock expands again on its tick only when the text reads the clock", async () => {
    await tab.evaluate(() => {
      const { view } = (window as unknown as Hh).hh;
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: 'a={hash.append("x").toHex().printDigest();}' },
      });
    });
    await settle();
    await tab.evaluate(() => (window as unknown as Hh).hh.run(true));
    const quiet = await work();
    await tab.waitForTimeout(1500);
    expect((await work()).explain).toBe(quiet.explain);

    await tab.evaluate(() => {
      const { view } = (window as unknown as Hh).hh;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: "e={hash.getEpochMillis();}" } });
    });
    const ticking = await work();
    await tab.waitForTimeout(1500);
    expect((await work()).explain - ticking.explain).toBeGreaterThanOrEqual(3);
    await tab.evaluate(() => (window as unknown as Hh).hh.run(false));
  }, 60_000);

  it("beyond maxTemplateLength: a notice, and no highlighting", async () => {
    await tab.evaluate((text) => {
      const { view } = (window as unknown as Hh).hh;
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    }, BLOCK.repeat(1000));
    await expect.poll(() => tab.locator(".cm-hh-notice").textContent()).toContain("65536");
    expect(await tab.locator(".cm-hh-method").count()).toBe(0);
    await tab.evaluate(() => {
      const { view } = (window as unknown as Hh).hh;
      view.dispatch({
        changes: { from: 0, to: view.state.doc.length, insert: 'a={hash.append("x").toHex().printDigest();}' },
      });
    });
    await expect.poll(() => tab.locator(".cm-hh-notice").count()).toBe(0);
    expect(await tab.locator(".cm-hh-method").count()).toBe(3);
  }, 60_000);
});
