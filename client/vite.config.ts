// The candidate page and host room, built into client/dist and served by the Koa server
// (server/http/pages.ts). The face worker is a classic (IIFE) worker: tasks-vision's default
// wasm fileset loads with importScripts there.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    reportCompressedSize: false,
    // The devtools probe is a `debugger` statement (built at run time it would need 'unsafe-eval').
    rolldownOptions: { output: { minify: { compress: { dropDebugger: false } } } },
  },
  worker: { format: 'iife' },
});
