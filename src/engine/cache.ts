// The cache of compiled templates that expand() keeps: a dashboard expands the same URLs on every
// refresh. Each instance (createHashHelper) has its own; the top-level expand() uses the default
// instance's.
import type { Limits } from "../language/limits.ts";

/** The sizes of a cache (see TemplateCaches). */
export interface CacheSizes {
  /** How many templates a cache keeps at least: the ones used last. It may keep twice as many. */
  templates: number;
  /**
   * How many characters of templates it keeps in all. A count alone would let large templates
   * hold hundreds of megabytes, whose garbage collection then slows every expansion; a template
   * over half of it is compiled on every expansion, never kept.
   */
  characters: number;
}

export const defaultCacheSizes: Readonly<CacheSizes> = Object.freeze({ templates: 256, characters: 1 << 20 });

/** How many sets of limits other than the instance's own get a cache (each of the same sizes). */
const LIMIT_SETS = 8;

// Two generations rather than a strict least-recently-used order: a hit in the young one is a
// single lookup, where moving an entry to the back of one Map was a delete and a set, and
// evicting its oldest entry a walk past every entry deleted before. When the young generation
// is full it becomes the old one, and the old one is dropped; a hit in the old one moves back
// to the young one. A generation holds `templates` templates, so that the ones used last are
// always kept, and half of `characters`, so that both together stay within it.
class Generation<T> {
  readonly templates = new Map<string, T>();
  characters = 0;
}

class TemplateCache<T> {
  private young = new Generation<T>();
  private old = new Generation<T>();

  constructor(private readonly sizes: Readonly<CacheSizes>) {}

  recall(template: string): T | undefined {
    const hit = this.young.templates.get(template);
    if (hit) return hit;
    const aged = this.old.templates.get(template);
    if (aged) {
      this.old.templates.delete(template);
      this.old.characters -= template.length;
      this.remember(template, aged);
    }
    return aged;
  }

  remember(template: string, compiled: T): void {
    const half = this.sizes.characters / 2;
    if (template.length > half) return;
    const young = this.young;
    if (young.templates.size >= this.sizes.templates || young.characters + template.length > half) {
      this.old = young;
      this.young = new Generation();
    }
    this.young.templates.set(template, compiled);
    this.young.characters += template.length;
  }

  usage(): CacheUsage {
    return {
      templates: [...this.young.templates.keys(), ...this.old.templates.keys()],
      characters: this.young.characters + this.old.characters,
    };
  }
}

/** What a cache holds: the templates, once for each set of limits they were compiled with. */
export interface CacheUsage {
  templates: string[];
  characters: number;
}

/**
 * The caches of one instance, one for each set of limits: limits change what a template compiles
 * to, and keying one cache by limits and text together let a template's text forge another
 * caller's key. Its own limits (an object it holds) are found without looking at them.
 */
export class TemplateCaches<T> {
  private readonly own: TemplateCache<T>;
  private readonly others = new Map<string, TemplateCache<T>>();

  constructor(
    private readonly limits: Readonly<Limits>,
    private readonly sizes: Readonly<CacheSizes> = defaultCacheSizes,
  ) {
    this.own = new TemplateCache(sizes);
  }

  /** The cache for templates compiled with `limits`, or undefined when no more sets get one. */
  for(limits: Readonly<Limits>): { recall(t: string): T | undefined; remember(t: string, c: T): void } | undefined {
    if (limits === this.limits) return this.own;
    // JSON writes Infinity as null, which no other limit can be.
    const id = JSON.stringify(limits);
    let cache = this.others.get(id);
    if (!cache && this.others.size < LIMIT_SETS) {
      cache = new TemplateCache(this.sizes);
      this.others.set(id, cache);
    }
    return cache;
  }

  usage(): CacheUsage {
    const usages = [this.own, ...this.others.values()].map((cache) => cache.usage());
    return {
      templates: usages.flatMap((u) => u.templates),
      characters: usages.reduce((sum, u) => sum + u.characters, 0),
    };
  }
}
