// GET /reports/<reportId>.pdf — a report's PDF, for a signed downloadUrl (?expires&signature) or
// a request with "Authorization: Bearer <host or API token>". Domain errors become HTTP statuses.
import Router from '@koa/router';
import { DomainError } from '../errors.ts';
import { HttpError } from './http-errors.ts';

export interface DownloadAccess {
  authorization: string | undefined;
  expires: string | undefined;
  signature: string | undefined;
}

export type ReportPdfSource = (reportId: string, access: DownloadAccess) => Promise<{ pdf: Buffer; filename: string }>;

const STATUS_BY_CODE: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, BAD_USER_INPUT: 400, CONFLICT: 409, RATE_LIMITED: 429 };

export function reportDownload(source: ReportPdfSource): Router {
  const router = new Router();
  router.get('/reports/:file', async (ctx) => {
    const reportId = /^(.+)\.pdf$/.exec(ctx.params.file ?? '')?.[1];
    if (!reportId) throw new HttpError(404, 'NOT_FOUND', 'Reports are served as /reports/<reportId>.pdf');
    const single = (value: unknown) => (typeof value === 'string' ? value : undefined);
    try {
      const { pdf, filename } = await source(reportId, {
        authorization: ctx.get('authorization') || undefined,
        expires: single(ctx.query.expires),
        signature: single(ctx.query.signature),
      });
      ctx.type = 'application/pdf';
      ctx.set('content-disposition', `attachment; filename="${filename}"`);
      ctx.set('cache-control', 'private, no-store');
      ctx.body = pdf;
    } catch (error) {
      if (error instanceof DomainError) throw new HttpError(STATUS_BY_CODE[error.code] ?? 400, error.code, error.message);
      throw error;
    }
  });
  return router;
}
