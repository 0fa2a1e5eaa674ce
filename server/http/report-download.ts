// GET /reports/<reportId>.pdf — a report's PDF, for a signed downloadUrl (?expires&signature) or
// a request with "Authorization: Bearer <host or API token>".
import Router from '@koa/router';
import { downloadAccess, type DownloadAccess } from './download-access.ts';
import { HttpError } from './http-errors.ts';

export type ReportPdfSource = (reportId: string, access: DownloadAccess) => Promise<{ pdf: Buffer; filename: string }>;

export function reportDownload(source: ReportPdfSource): Router {
  const router = new Router();
  router.get('/reports/:file', async (ctx) => {
    const reportId = /^(.+)\.pdf$/.exec(ctx.params.file ?? '')?.[1];
    if (!reportId) throw new HttpError(404, 'NOT_FOUND', 'Reports are served as /reports/<reportId>.pdf');
    const { pdf, filename } = await source(reportId, downloadAccess(ctx));
    ctx.type = 'application/pdf';
    ctx.set('content-disposition', `attachment; filename="${filename}"`);
    ctx.set('cache-control', 'private, no-store');
    ctx.body = pdf;
  });
  return router;
}
