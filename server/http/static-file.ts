// Sends one file from disk with its type and caching; the callers decide which files exist.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Context } from 'koa';
import { parseByteRange } from './byte-range.ts';

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

/**
 * Sends a media file with byte ranges (byte-range.ts: 206, or 416 when the range lies outside the
 * file), which players need to seek without downloading the whole file.
 */
export function sendRangedFile(ctx: Context, path: string, size: number, type: string, cacheControl: string): void {
  ctx.type = type;
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Cache-Control', cacheControl);
  const range = parseByteRange(ctx.get('range') || undefined, size);
  if (range === 'unsatisfiable') {
    ctx.status = 416;
    ctx.set('Content-Range', `bytes */${size}`);
    ctx.body = '';
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  if (range) {
    ctx.status = 206;
    ctx.set('Content-Range', `bytes ${start}-${end}/${size}`);
  }
  // A HEAD gets the headers only (an empty body, not a stream left open); an empty file has no bytes to stream.
  ctx.body = ctx.method === 'HEAD' || size === 0 ? '' : createReadStream(path, { start, end });
  ctx.length = size === 0 ? 0 : end - start + 1;
}
