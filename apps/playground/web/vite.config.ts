// Vite build of the playground's web page: web/ → dist/web, everything bundled, relative asset URLs.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Where `vite` (dev server) forwards /api calls (`xrec serve` listens on 8080 by default); the built page talks to its own origin. */
const apiTarget = process.env.PLAYGROUND_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: false,
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
  },
  server: { proxy: { '/api': { target: apiTarget, changeOrigin: true } } },
});
