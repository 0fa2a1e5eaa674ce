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

/**
 * Sends a media file with HTTP range support (a single `bytes=` range: 206, or 416 when it lies
 * outside the file), which players need to seek without downloading the whole file.
 */
export function sendRangedFile(ctx: Context, path: string, size: number, type: string, cacheControl: string): void {
  ctx.type = type;
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('Cache-Control', cacheControl);
  const range = byteRange(ctx.get('range'), size);
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
  ctx.length = size === 0 ? 0 : end - start + 1;
  ctx.body = ctx.method === 'HEAD' || size === 0 ? '' : createReadStream(path, { start, end });
}

/** The one range a `Range: bytes=…` header asks for; undefined for no (or an unsupported, multi-range) header, which gets the whole file. */
function byteRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (match[1] === '') {
    // A suffix: the last N bytes.
    start = Math.max(0, size - Number(match[2]));
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  if (!Number.isSafeInteger(start) || start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}
