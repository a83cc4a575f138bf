// The recipes of docs/recipes/ as examples: each page's first `http` block, read when the
// playground is built (Vite's ?raw import), so the page needs nothing at run time.
const pages = import.meta.glob<string>("../docs/recipes/*.md", { query: "?raw", import: "default", eager: true });

export interface Recipe {
  /** The page's file name without .md: `unleashed`. */
  id: string;
  /** Its title: `Unleashed`. */
  title: string;
  /** The request, in the .http format. */
  request: string;
}

export const recipes: Recipe[] = Object.entries(pages)
  .flatMap(([path, text]) => {
    const id = /([\w-]+)\.md$/.exec(path)?.[1] ?? path;
    const request = /^```http\n([\s\S]*?)\n```/m.exec(text)?.[1];
    const title = /^# (.+)$/m.exec(text)?.[1] ?? id;
    return request === undefined ? [] : [{ id, title, request }];
  })
  .sort((a, b) => a.title.localeCompare(b.title));
