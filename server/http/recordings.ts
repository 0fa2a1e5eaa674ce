// GET /api/recordings/<interviewId>/<candidateId>/<n>.webm?expires&signature — a candidate's
// recording file for the review page's <video>, by a signed link (ReviewMedia.tracks), with HTTP
// Range (206) so the browser can seek without downloading the whole interview.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import Router from '@koa/router';
import { NotFoundError } from '../errors.ts';
import type { ReviewMedia } from '../reviews/review-media.ts';
import { parseByteRange } from './byte-range.ts';
import { INERT_POLICY, securityHeaders } from './security-headers.ts';

export function recordingRoutes(media: ReviewMedia): Router {
  const router = new Router({ prefix: '/api/recordings' });
  router.use(securityHeaders(INERT_POLICY));
  router.get('/:interviewId/:candidateId/:file', async (ctx) => {
    const index = /^(\d{1,6})\.webm$/.exec(ctx.params.file ?? '')?.[1];
    if (!index) throw new NotFoundError('Recording');
    const single = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const path = await media.file({
      interviewId: ctx.params.interviewId ?? '',
      candidateId: ctx.params.candidateId ?? '',
      index,
      expires: single(ctx.query.expires),
      signature: single(ctx.query.signature),
    });
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new NotFoundError('Recording');
    ctx.type = 'video/webm';
    ctx.set('Accept-Ranges', 'bytes');
    ctx.set('Cache-Control', 'private, max-age=3600');
    ctx.set('Last-Modified', info.mtime.toUTCString());
    const range = parseByteRange(ctx.get('range') || undefined, info.size);
    if (range === 'unsatisfiable') {
      ctx.status = 416;
      ctx.set('Content-Range', `bytes */${info.size}`);
      ctx.body = '';
      return;
    }
    const { start, end } = range ?? { start: 0, end: info.size - 1 };
    if (range) {
      ctx.status = 206;
      ctx.set('Content-Range', `bytes ${start}-${end}/${info.size}`);
    }
    // A HEAD gets the headers only (an empty body, not a stream left open); an empty file has no bytes to stream.
    ctx.body = ctx.method === 'HEAD' || info.size === 0 ? '' : createReadStream(path, { start, end });
    ctx.length = info.size === 0 ? 0 : end - start + 1;
  });
  return router;
}
