// How a download request presents itself: the signed link's `?expires&signature`, or an
// "Authorization: Bearer …" header. The services decide what either may open.
import type { Context } from 'koa';

export interface DownloadAccess {
  authorization: string | undefined;
  expires: string | undefined;
  signature: string | undefined;
}

export function downloadAccess(ctx: Context): DownloadAccess {
  // A repeated query parameter arrives as an array: not a link this server made.
  const single = (value: unknown) => (typeof value === 'string' ? value : undefined);
  return { authorization: ctx.get('authorization') || undefined, expires: single(ctx.query.expires), signature: single(ctx.query.signature) };
}
