// The browser tests serve the built candidate page: build it once per run when client/ or the
// contract it imports changed since the last build (npm ci builds it too, through `prepare`).
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLIENT = fileURLToPath(new URL('../../client/', import.meta.url));
const CONTRACT = fileURLToPath(new URL('../../contract/', import.meta.url));
const BUILT = join(CLIENT, 'dist', 'index.html');
let building: Promise<void> | undefined;

export function ensureClientBuilt(): Promise<void> {
  building ??= (async () => {
    const built = (await stat(BUILT).catch(() => undefined))?.mtimeMs ?? 0;
    const sources = [join(CLIENT, 'index.html'), join(CLIENT, 'vite.config.ts')];
    for (const folder of [join(CLIENT, 'src'), CONTRACT]) {
      for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
        if (entry.isFile()) sources.push(join(entry.parentPath, entry.name));
      }
    }
    const newest = Math.max(...(await Promise.all(sources.map(async (file) => (await stat(file)).mtimeMs))));
    if (newest <= built) return;
    const { build } = await import('vite');
    await build({ configFile: join(CLIENT, 'vite.config.ts'), logLevel: 'error' });
  })();
  return building;
}
