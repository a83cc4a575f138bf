// The playground: a static page made from the package's sources and its CodeMirror extension.
// `npm run playground` serves it on 127.0.0.1; `npm run build:playground` writes dist-playground/.
// Nothing is inlined (no data: URLs, no inline script or style), so that it runs under the
// Content-Security-Policy `default-src 'self'` that index.html sets.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here("."),
  // Relative asset URLs: the built page works from any folder of any static server.
  base: "./",
  // The browser's crypto backend, as the package's "browser" build picks it (package.json "imports").
  resolve: { alias: { "#crypto": here("../src/platform/crypto/browser.ts") } },
  server: { host: "127.0.0.1" },
  preview: { host: "127.0.0.1" },
  clearScreen: false,
  build: {
    outDir: here("../dist-playground"),
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // One module of the package, CodeMirror and the recipes, loaded once: there is nothing to split.
    chunkSizeWarningLimit: 1024,
  },
});
