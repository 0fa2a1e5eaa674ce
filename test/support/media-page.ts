// The media harness page (test/support/media-harness, around client/src/media) bundled with
// Vite's JS API into a temporary folder and served on 127.0.0.1 (a secure context for
// getUserMedia). No Vite config file: the candidate page owns client/vite.config.ts.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const HARNESS_DIR = fileURLToPath(new URL('./media-harness/', import.meta.url));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };

export interface MediaPage {
  url: string;
  close(): Promise<void>;
}

/** Served on `host` (loopback by default; a test network's address for a browser in a namespace). */
export async function serveMediaHarness(host = '127.0.0.1'): Promise<MediaPage> {
  const outDir = await mkdtemp(join(tmpdir(), 'proctor-media-harness-'));
  await build({
    configFile: false,
    root: HARNESS_DIR,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false, sourcemap: false, reportCompressedSize: false },
  });
  const server: Server = createServer((request, response) => {
    const path = normalize(new URL(request.url ?? '/', 'http://localhost').pathname).replace(/^\/+/, '') || 'index.html';
    readFile(join(outDir, path)).then(
      (body) => response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}/`,
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
