// GET /api/recordings/<interviewId>/<candidateId>/<trackId>?expires&signature — one recorded track
// for a player (the review page's <video>), by a signed link (TrackLinks), with byte ranges so the
// browser can seek without downloading the whole interview.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import Router from '@koa/router';
import { NotFoundError } from '../errors.ts';
import { downloadAccess } from './download-access.ts';
import type { TrackLinks } from '../media/track-links.ts';
import { INERT_POLICY, securityHeaders } from './security-headers.ts';
import { sendRangedFile } from './static-file.ts';

export function recordingRoutes(links: TrackLinks): Router {
  const router = new Router({ prefix: '/api/recordings' });
  router.use(securityHeaders(INERT_POLICY));
  router.get('/:interviewId/:candidateId/:trackId', async (ctx) => {
    const { expires, signature } = downloadAccess(ctx);
    const path = await links.file({
      interviewId: ctx.params.interviewId ?? '',
      candidateId: ctx.params.candidateId ?? '',
      trackId: ctx.params.trackId ?? '',
      expires,
      signature,
    });
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) throw new NotFoundError('Recording');
    ctx.set('Last-Modified', info.mtime.toUTCString());
    sendRangedFile(ctx, path, info.size, extname(path) === '.webm' ? 'video/webm' : 'video/x-matroska', 'private, max-age=3600');
  });
  return router;
}
