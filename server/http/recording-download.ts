// GET /recordings/<compositeId>.mp4 — a candidate's composite recording, for a signed downloadUrl
// (?expires&signature) or a request with "Authorization: Bearer <host or API token>"; with byte
// ranges, so a player seeks in it.
import Router from '@koa/router';
import { downloadAccess, type DownloadAccess } from './download-access.ts';
import { INERT_POLICY, securityHeaders } from './security-headers.ts';
import { HttpError } from './http-errors.ts';
import { sendRangedFile } from './static-file.ts';

export type RecordingFileSource = (compositeId: string, access: DownloadAccess) => Promise<{ path: string; bytes: number; filename: string }>;

export function recordingDownload(source: RecordingFileSource): Router {
  const router = new Router();
  router.use('/recordings', securityHeaders(INERT_POLICY));
  router.get('/recordings/:file', async (ctx) => {
    const compositeId = /^(.+)\.mp4$/.exec(ctx.params.file ?? '')?.[1];
    if (!compositeId) throw new HttpError(404, 'NOT_FOUND', 'Recordings are served as /recordings/<recordingId>.mp4');
    const { path, bytes, filename } = await source(compositeId, downloadAccess(ctx));
    ctx.set('content-disposition', `inline; filename="${filename}"`);
    sendRangedFile(ctx, path, bytes, 'video/mp4', 'private, no-store');
  });
  return router;
}
