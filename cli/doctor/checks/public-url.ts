// The public URL answers from here: what candidates' join links point at.
import type { Check } from '../check.ts';

export const publicUrl: Check = {
  id: 'public-url',
  title: 'Public URL reachable',
  async run({ publicUrl: url, timeoutMs }) {
    const healthz = new URL('healthz', withSlash(url));
    try {
      const response = await fetch(healthz, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
      if (response.ok) return { status: 'ok', detail: `${url.origin} answers` };
      return {
        status: 'fail',
        detail: `${healthz.href} answered ${response.status}`,
        remedy: 'the public URL reaches something that is not this Proctor server: check PROCTOR_PUBLIC_URL and the reverse proxy in front',
      };
    } catch (error) {
      return {
        status: 'fail',
        detail: `${healthz.href} unreachable (${reason(error)})`,
        remedy: `set PROCTOR_PUBLIC_URL to the address candidates reach, and check its DNS name, the firewall (port ${url.port || (url.protocol === 'https:' ? 443 : 80)}) and any reverse proxy`,
      };
    }
  },
};

export function withSlash(url: URL): string {
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** The innermost cause of a failed fetch or connect (ECONNREFUSED, ENOTFOUND, a TLS error), in a few words. */
export function reason(error: unknown): string {
  let cause = error as { cause?: unknown; code?: string; message?: string };
  while (cause.cause) cause = cause.cause;
  return cause.code ?? cause.message ?? String(error);
}
