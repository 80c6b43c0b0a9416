import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web UI: a Preact single-page app, built into dist/web and served by the API at `/`
 * (API.md: the API's port also serves the web UI). Each page is its own chunk, so the first page
 * loads only what it shows (QUALITY.md P6).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: fileURLToPath(new URL('../../dist/web', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    reportCompressedSize: false,
  },
  // `npx vite --config apps/web/vite.config.mts` serves the UI with hot reload against a running API.
  server: { proxy: { '/api': process.env.KORYU_API ?? 'http://localhost:3000' } },
});
