// GET /reports/<reportId>.pdf — a report's PDF, for a signed downloadUrl (?expires&signature) or
// a request with "Authorization: Bearer <host or API token>".
import Router from '@koa/router';
import { HttpError } from './http-errors.ts';

export interface DownloadAccess {
  authorization: string | undefined;
  expires: string | undefined;
  signature: string | undefined;
}

export type ReportPdfSource = (reportId: string, access: DownloadAccess) => Promise<{ pdf: Buffer; filename: string }>;

export function reportDownload(source: ReportPdfSource): Router {
  const router = new Router();
  router.get('/reports/:file', async (ctx) => {
    const reportId = /^(.+)\.pdf$/.exec(ctx.params.file ?? '')?.[1];
    if (!reportId) throw new HttpError(404, 'NOT_FOUND', 'Reports are served as /reports/<reportId>.pdf');
    const single = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const { pdf, filename } = await source(reportId, {
      authorization: ctx.get('authorization') || undefined,
      expires: single(ctx.query.expires),
      signature: single(ctx.query.signature),
    });
    ctx.type = 'application/pdf';
    ctx.set('content-disposition', `attachment; filename="${filename}"`);
    ctx.set('cache-control', 'private, no-store');
    ctx.body = pdf;
  });
  return router;
}
