// Sends one file from disk with its type and caching; the callers decide which files exist.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Context } from 'koa';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.jpg': 'image/jpeg',
  '.tflite': 'application/octet-stream',
  '.task': 'application/octet-stream',
  '.json': 'application/json',
};

/** False when there is no such file (the caller answers 404). */
export async function sendFile(ctx: Context, path: string, cacheControl: string): Promise<boolean> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return false;
  // A HEAD gets the headers only (an empty body, not a stream left open).
  ctx.body = ctx.method === 'HEAD' ? '' : createReadStream(path);
  ctx.type = TYPES[extname(path)] ?? 'application/octet-stream';
  ctx.length = info.size;
  ctx.set('Cache-Control', cacheControl);
  ctx.set('Last-Modified', info.mtime.toUTCString());
  return true;
}
