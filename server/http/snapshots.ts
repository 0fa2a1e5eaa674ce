// Evidence snapshots over HTTP: the candidate page uploads a JPEG with its join token
// (POST /api/snapshots?sessionId=…&seq=…, body image/jpeg, size-limited), hosts fetch one with
// their login or API token (GET /api/snapshots/:interviewId/:file).
import { basename } from 'node:path';
import Router from '@koa/router';
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors.ts';
import type { SnapshotService } from '../live/snapshots.ts';
import { body } from './body.ts';
import { HttpError } from './http-errors.ts';
import { INERT_POLICY, securityHeaders } from './security-headers.ts';
import { sendFile } from './static-file.ts';

/** `authenticate` resolves an Authorization header ("Bearer <token>") as the GraphQL API does. */
export function snapshotRoutes(snapshots: SnapshotService, authenticate: (authorization: string) => Promise<Actor>): Router {
  const router = new Router({ prefix: '/api/snapshots' });
  router.use(securityHeaders(INERT_POLICY));
  const actorOf = async (authorization: string): Promise<Actor> => {
    if (!authorization) throw new UnauthenticatedError('Send "Authorization: Bearer <token>"');
    return authenticate(authorization);
  };

  router.post('/', body(snapshots.limitBytes), async (ctx) => {
    const actor = await actorOf(ctx.get('authorization'));
    if (actor.kind !== 'candidate') throw new ForbiddenError('Only a candidate link uploads snapshots');
    if (!ctx.is('image/jpeg')) throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the snapshot as Content-Type: image/jpeg');
    const seq = Number(ctx.query.seq);
    const stored = await snapshots.store(actor, String(ctx.query.sessionId ?? ''), seq, ctx.state.body as Buffer);
    ctx.status = 201;
    ctx.body = stored;
  });

  router.get('/:interviewId/:file', async (ctx) => {
    const actor = await actorOf(ctx.get('authorization'));
    if (actor.kind === 'candidate') throw new ForbiddenError('A candidate link cannot read snapshots');
    const path = await snapshots.file(actor, ctx.params.interviewId ?? '', ctx.params.file ?? '');
    // sendFile stats the file once: no separate existence check before it.
    if (!(await sendFile(ctx, path, 'private, max-age=3600'))) throw new NotFoundError('Snapshot');
    ctx.attachment(basename(path), { type: 'inline' });
  });
  return router;
}
