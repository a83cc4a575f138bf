// The cache of compiled templates that expand() keeps: a dashboard expands the same URLs on every
// refresh, thousands of them in one worker. Each instance (createHashHelper) has its own; the
// top-level expand() uses the default instance's.
import type { Call, Chain } from "../language/ast.ts";
import { utf8Length } from "../language/encoding.ts";
import type { Limits } from "../language/limits.ts";

/** The size of an instance's cache (see TemplateCaches). */
export interface CacheSizes {
  /**
   * The heap the cache may hold, in bytes, as estimated for each compiled template from its
   * length, its blocks and their calls (see retainedBytes). A count alone let a few large
   * templates hold hundreds of megabytes, and a small one thrashed a dashboard of a thousand
   * URLs. The default, 28 MiB, holds about 4,900 templates the size of the Moz one (4.7 KB each,
   * measured; 5.9 KB estimated), 23 MB of heap. A template estimated at over a quarter of it is
   * compiled on every expansion, never kept.
   */
  bytes: number;
}

export const defaultCacheSizes: Readonly<CacheSizes> = Object.freeze({ bytes: 28 * 1024 * 1024 });

/** How many sets of limits other than the instance's own get a cache (all within its one budget). */
const LIMIT_SETS = 8;

// What a compiled template holds, measured on V8 (heap used after collection, hundreds of
// templates of each shape): about 1.5 KB whatever it is, 0.5–0.7 KB a block, 100–250 bytes a
// call, its text (kept as the key, and in slices for the text between blocks), and its string
// literals' values, with the UTF-8 bytes of those a method reads as bytes (HMAC keys). The
// estimate is at or above the measurement for every shape test/engine/cache.test.ts measures;
// a compiled Moz template holds 4.7 KB, estimated 5.9 KB.
const FIXED = 1536;
const PER_BLOCK = 640;
const PER_CALL = 256;

/**
 * The estimated heap a compiled source holds: its text (two bytes a character at most), its chains
 * and their literals. `asBytes` says which arguments are kept as UTF-8 bytes too.
 */
export function retainedBytes(
  source: string,
  chains: readonly Chain[],
  asBytes: (call: Call, index: number) => boolean = () => false,
): number {
  let bytes = FIXED + 2 * source.length + PER_BLOCK * chains.length;
  const count = (chain: Chain) => {
    for (const call of chain.calls) {
      bytes += PER_CALL;
      for (const [index, arg] of call.args.entries()) {
        if (arg.type === "Chain") count(arg);
        else if (arg.type === "String")
          bytes += 2 * arg.value.length + (asBytes(call, index) ? utf8Length(arg.value) : 0);
      }
    }
  };
  for (const chain of chains) count(chain);
  return bytes;
}

/** A cached value, in the map of its set of limits and in the budget's clock. */
interface Entry {
  readonly map: Map<string, Entry>;
  readonly key: string;
  readonly value: unknown;
  readonly bytes: number;
  /** Looked up since the clock's hand last passed it. */
  used: boolean;
}

/**
 * The bytes one instance's caches hold together, and which entry goes when they are full: the
 * CLOCK approximation of least-recently-used. A hit only marks its entry used, so that it stays one
 * lookup (moving an entry to the back of a Map on every hit was a delete and a set); when room is
 * needed, the hand goes round the entries in the order they came, giving each used one a second
 * chance (unmarked, to the back) and dropping the first unused one. The hand is one iterator kept
 * from call to call, so that it never walks again past the entries it has dropped.
 */
export class CacheBudget {
  private readonly clock = new Set<Entry>();
  private hand: Iterator<Entry> = this.clock.values();
  private held = 0;

  constructor(readonly bytes: number) {}

  get used(): number {
    return this.held;
  }

  /** Keeps `value` under `key` in `map`, dropping what must go first; a value too large is not kept. */
  add(map: Map<string, Entry>, key: string, value: unknown, bytes: number): void {
    // A key compiled again (another request under the same URL) replaces its entry.
    const old = map.get(key);
    if (old !== undefined) this.drop(old);
    if (bytes > this.bytes / 4) return;
    while (this.held + bytes > this.bytes) this.evict();
    const entry: Entry = { map, key, value, bytes, used: false };
    map.set(key, entry);
    this.clock.add(entry);
    this.held += bytes;
  }

  private evict(): void {
    for (;;) {
      let next = this.hand.next();
      if (next.done) {
        this.hand = this.clock.values();
        next = this.hand.next();
        if (next.done) return;
      }
      const entry = next.value;
      this.clock.delete(entry);
      if (entry.used) {
        entry.used = false;
        this.clock.add(entry);
        continue;
      }
      this.drop(entry);
      return;
    }
  }

  private drop(entry: Entry): void {
    this.clock.delete(entry);
    entry.map.delete(entry.key);
    this.held -= entry.bytes;
  }
}

/** One set of limits' entries. */
class TemplateCache<T> {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly budget: CacheBudget) {}

  recall(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    entry.used = true;
    return entry.value as T;
  }

  remember(key: string, value: T, bytes: number): void {
    this.budget.add(this.entries, key, value, bytes);
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }
}

/** What a cache holds: the templates, once for each set of limits they were compiled with, and their estimated bytes. */
export interface CacheUsage {
  templates: string[];
  bytes: number;
}

/**
 * The caches of one instance, one for each set of limits: limits change what a template compiles
 * to, and keying one cache by limits and text together let a template's text forge another
 * caller's key. Its own limits (an object it holds) are found without looking at them. All of
 * them, and the instance's other caches (signRequest's), share one budget.
 */
export class TemplateCaches<T> {
  private readonly own: TemplateCache<T>;
  private readonly others = new Map<string, TemplateCache<T>>();

  constructor(
    private readonly limits: Readonly<Limits>,
    private readonly budget: CacheBudget,
  ) {
    this.own = new TemplateCache(budget);
  }

  /** The cache for templates compiled with `limits`, or undefined when no more sets get one. */
  for(limits: Readonly<Limits>): TemplateCache<T> | undefined {
    if (limits === this.limits) return this.own;
    // JSON writes Infinity as null, which no other limit can be.
    const id = JSON.stringify(limits);
    let cache = this.others.get(id);
    if (!cache && this.others.size < LIMIT_SETS) {
      cache = new TemplateCache(this.budget);
      this.others.set(id, cache);
    }
    return cache;
  }

  /** The keys held, for every set of limits. */
  keys(): string[] {
    return [this.own, ...this.others.values()].flatMap((cache) => cache.keys());
  }
}
