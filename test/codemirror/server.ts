// A static server on 127.0.0.1 for the browser tests of the editor and the playground: files
// from a map or a folder, and every request it was asked, as it came.
import { readFileSync, statSync } from "node:fs";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize } from "node:path";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

export interface Asked {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface StaticServer {
  origin: string;
  asked: Asked[];
  close(): Promise<void>;
}

/** Serves `files` (path → content) or, for a string, the folder of that name. */
export async function serve(files: string | Record<string, string | Uint8Array>): Promise<StaticServer> {
  const asked: Asked[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = req.url ?? "/";
      asked.push({ method: req.method ?? "", url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const path = decodeURIComponent(new URL(url, "http://127.0.0.1").pathname);
      const name = path.endsWith("/") ? `${path}index.html` : path;
      const body = lookup(files, name);
      if (body === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": types[extname(name)] ?? "application/octet-stream" }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    asked,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function lookup(files: string | Record<string, string | Uint8Array>, name: string): string | Uint8Array | undefined {
  if (typeof files !== "string") return files[name];
  const file = join(files, normalize(name).replace(/^(\.\.[/\\])+/, ""));
  try {
    return statSync(file).isFile() ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Serves a test page: `html` as /index.html and the module `page` bundled by esbuild as /page.js,
 * its imports ("hash-helper", "hash-helper/codemirror", the CodeMirror packages) resolved from
 * `root` as an application's build resolves them.
 */
export async function servePage(page: string, html: string, root: string): Promise<StaticServer> {
  const { build } = await import("esbuild");
  const bundled = await build({
    stdin: { contents: page, resolveDir: root, loader: "js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    logLevel: "silent",
  });
  return serve({ "/index.html": html, "/page.js": bundled.outputFiles[0]?.contents ?? "" });
}
