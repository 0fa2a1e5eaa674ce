// GET /operator/diagnostics (what `proctor doctor` cannot see from outside) and GET
// /operator/backup (a tar of the embedded database and the media folders). They answer only the
// operator key from the data dir; diagnostics also the metrics token, which already reads the
// server's load. Neither is an org's business: no login or API token opens them.
import Router from '@koa/router';
import { BACKUP_PATH, BACKUP_SIZE_HEADER, DIAGNOSTICS_PATH } from '../../contract/diagnostics.ts';
import type { Operations } from '../operations/operations.ts';
import { sameSecret } from './health.ts';
import { HttpError } from './http-errors.ts';
import { INERT_POLICY, securityHeaders } from './security-headers.ts';

export interface OperatorAccess {
  operatorKey: string;
  metricsToken: string | undefined;
}

export function operatorRoutes(operations: Operations, access: OperatorAccess): Router {
  const router = new Router();
  router.use(securityHeaders(INERT_POLICY));
  const requireKey = (authorization: string, acceptMetricsToken: boolean) => {
    const given = /^Bearer (.+)$/i.exec(authorization)?.[1] ?? '';
    const accepted = sameSecret(given, access.operatorKey) || (acceptMetricsToken && access.metricsToken !== undefined && sameSecret(given, access.metricsToken));
    if (!accepted) throw new HttpError(401, 'UNAUTHENTICATED', 'Send "Authorization: Bearer <operator key>" (the operator-key file in the data dir)');
  };

  router.get(DIAGNOSTICS_PATH, async (ctx) => {
    requireKey(ctx.get('authorization'), true);
    ctx.set('cache-control', 'no-store');
    ctx.body = await operations.diagnostics();
  });

  router.get(BACKUP_PATH, async (ctx) => {
    requireKey(ctx.get('authorization'), false);
    const { archive, estimatedBytes } = await operations.backup();
    ctx.set('cache-control', 'no-store');
    ctx.set(BACKUP_SIZE_HEADER, String(estimatedBytes));
    ctx.type = 'application/x-tar';
    ctx.attachment(`proctor-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.tar`);
    ctx.body = archive;
  });
  return router;
}
