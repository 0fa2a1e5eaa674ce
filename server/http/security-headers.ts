// Response headers that tell the browser what a response may do: the Content-Security-Policy it
// runs under, no MIME sniffing, no referrer (paths carry join tokens), no framing, and which
// powerful features (camera, microphone, screen capture) it may ask for at all.
import type { Middleware } from 'koa';

/** Features the pages use, for their own origin only; everything else listed is off. */
const PAGE_FEATURES = ['camera', 'microphone', 'display-capture', 'fullscreen', 'autoplay'];
const UNUSED_FEATURES = [
  'accelerometer',
  'browsing-topics',
  'clipboard-read',
  'geolocation',
  'gyroscope',
  'hid',
  'idle-detection',
  'magnetometer',
  'midi',
  'payment',
  'picture-in-picture',
  'publickey-credentials-get',
  'screen-wake-lock',
  'serial',
  'usb',
  'xr-spatial-tracking',
];

/**
 * The candidate page and host room: our own scripts and styles only, WebAssembly (MediaPipe) but
 * no eval, the face worker from our origin, fetches and the graphql-ws socket to our origin (and
 * the face models' origin when they are served elsewhere), camera streams in media elements.
 */
export function pagePolicy(modelsUrl: string | undefined): string {
  const models = modelsUrl ? ` ${new URL(modelsUrl).origin}` : '';
  return [
    "default-src 'none'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "worker-src 'self'",
    `connect-src 'self'${models}`,
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob: mediastream:",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Served files that are never a document (snapshots): nothing runs, nothing loads. */
export const INERT_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

export function securityHeaders(contentSecurityPolicy: string): Middleware {
  const permissions = [...PAGE_FEATURES.map((feature) => `${feature}=(self)`), ...UNUSED_FEATURES.map((feature) => `${feature}=()`)].join(', ');
  return async (ctx, next) => {
    ctx.set('Content-Security-Policy', contentSecurityPolicy);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('X-Frame-Options', 'DENY');
    ctx.set('Permissions-Policy', permissions);
    await next();
  };
}
