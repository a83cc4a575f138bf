import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HashHelperError, methods, parse } from "../src/index.ts";
import { completeCommand, completeMethod, completePath } from "../src/shells/repl/complete.ts";

const names = [...methods.keys()];
/** The methods whose name no other method's name starts with: Tab on them has one candidate. */
const unique = [...methods.values()].filter((m) => !names.some((n) => n !== m.name && n.startsWith(m.name)));

describe("method completion", () => {
  it.each(unique.map((m) => [m.name, m] as const))("hash.%s completes with the ( it needs", (name, method) => {
    const { candidates, word } = completeMethod(`hash.${name}`);
    expect(word).toBe(name);
    expect(candidates).toEqual([method.params.length === 0 ? `${name}()` : `${name}(`]);
  });

  // The completed text parses: a method without parameters is a whole call once completed.
  it.each(unique.filter((m) => m.params.length === 0 && m.input === "start").map((m) => m.name))(
    "hash.%s completed parses",
    (name) => {
      const [completed] = completeMethod(`hash.${name.slice(0, -1)}`).candidates;
      const text = `hash.${completed}`;
      try {
        parse(text);
      } catch (e) {
        // Checked, maybe refused for what it means, but never a syntax error.
        expect(e).toBeInstanceOf(HashHelperError);
        expect((e as HashHelperError).problems.map((p) => p.code)).not.toContain("SYNTAX_ERROR");
      }
    },
  );

  const has = (line: string, name: string) => completeMethod(line).candidates.some((c) => c.startsWith(name));
  it.each([
    // After hash., every method, value functions with the rest.
    { line: "hash.", name: "getExpiryTime", offered: true },
    { line: "hash.", name: "append", offered: true },
    { line: "{hash.append(hash.", name: "getSecret", offered: true },
    // In the middle of a chain, no value function.
    { line: 'hash.append("a").', name: "getExpiryTime", offered: false },
    { line: 'hash.append("a").', name: "encodeMd5", offered: true },
    { line: 'hash.append(hash.getSecret("k")).', name: "getSecret", offered: false },
    // After a digest, bytes: encodings and digests, no append and no text function.
    { line: 'hash.append("a").encodeMd5().', name: "toHex", offered: true },
    { line: 'hash.append("a").encodeHmacSha1(hash.getSecret("a)b")).', name: "encodeBase64", offered: true },
    { line: 'hash.append("a").encodeMd5().', name: "append", offered: false },
    { line: 'hash.append("a").encodeMd5().', name: "toLowerCase", offered: false },
    // After a value function that gives bytes, append is fine (the checker allows it).
    { line: 'hash.fromHex("00").', name: "append", offered: true },
    { line: 'hash.fromHex("00").', name: "trim", offered: false },
    // Nothing after printDigest().
    { line: 'hash.append("a").toHex().printDigest().', name: "", offered: false },
  ])("$line offers $name: $offered", ({ line, name, offered }) => {
    expect(has(line, name)).toBe(offered);
  });

  it("adds no ( when one follows the cursor", () => {
    expect(completeMethod('hash.append("a").toHe', "()").candidates).toEqual(["toHex"]);
    expect(completeMethod('hash.append("a").encodeHmacSha25', ' ("k")').candidates).toEqual(["encodeHmacSha256"]);
  });

  it("lists names alike without a (, and describes them when stuck", () => {
    const found = completeMethod("hash.encodeHmacSha");
    expect(found.candidates).toEqual(["encodeHmacSha1", "encodeHmacSha256", "encodeHmacSha512"]);
    expect(found.describe?.map((m) => m.name)).toEqual(found.candidates);
  });

  it("describes a method completed already", () => {
    expect(completeMethod('hash.append("a").encodeHmacSha1(').describe?.map((m) => m.name)).toEqual(["encodeHmacSha1"]);
    expect(completeMethod("hash.getUuid()").describe?.map((m) => m.name)).toEqual(["getUuid"]);
  });

  it.each([`hash.append("x.app`, `hash.append('a.toHe`])("completes nothing inside a string: %s", (line) => {
    expect(completeMethod(line).candidates).toEqual([]);
  });

  it("completes hash. at the start", () => {
    expect(completeMethod("ha")).toEqual({ candidates: ["hash."], word: "ha" });
    expect(completeMethod("x={h")).toEqual({ candidates: ["hash."], word: "h" });
  });
});

describe("command completion", () => {
  const commands = new Map([
    ["exit", {}],
    ["explain", { argument: "on|off" }],
    ["help", {}],
    ["load", { argument: "FILE" }],
    ["lint", { argument: "on|off" }],
  ]);
  it.each([
    { line: ".he", candidates: [".help"] },
    { line: ".lo", candidates: [".load "] },
    { line: ".l", candidates: [".lint", ".load"] },
    { line: ".ex", candidates: [".exit", ".explain"] },
    { line: ".expl", candidates: [".explain "] },
    { line: ".z", candidates: [] },
    { line: ".lint o", candidates: ["on", "off"] },
    { line: ".explain of", candidates: ["off"] },
    { line: ".lint ", candidates: ["on", "off"] },
  ])("$line → $candidates", ({ line, candidates }) => {
    expect(completeCommand(line, commands)?.candidates).toEqual(candidates);
  });

  it("leaves other lines to method completion", () => {
    expect(completeCommand('hash.append("a").', commands)).toBeUndefined();
    expect(completeCommand(".load x", commands)).toBeUndefined();
  });
});

describe("file completion", () => {
  const dir = mkdtempSync(join(tmpdir(), "hash-helper-complete-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, "requests"));
  writeFileSync(join(dir, "marvel.http"), "");
  writeFileSync(join(dir, "moz.txt"), "");
  writeFileSync(join(dir, ".hidden"), "");

  it.each([
    { typed: `${dir}/m`, candidates: [`${dir}/marvel.http`, `${dir}/moz.txt`] },
    { typed: `${dir}/r`, candidates: [`${dir}/requests/`] },
    { typed: `${dir}/`, candidates: [`${dir}/marvel.http`, `${dir}/moz.txt`, `${dir}/requests/`] },
    { typed: `${dir}/.h`, candidates: [`${dir}/.hidden`] },
    { typed: `${dir}/none/x`, candidates: [] },
  ])("after .load: $typed", ({ typed, candidates }) => {
    expect(completePath(`.load ${typed}`, ["load", "save"])).toEqual({ candidates, word: typed });
  });

  it("only after the commands that take a file", () => {
    expect(completePath(`.now ${dir}/m`, ["load", "save"])).toBeUndefined();
    expect(completePath(`.save ${dir}/mo`, ["load", "save"])?.candidates).toEqual([`${dir}/moz.txt`]);
  });
});
