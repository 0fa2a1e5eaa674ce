// The browser pages: the built Vite app (client/dist) at /i/:token and /h/:interviewId, its
// hashed assets, the MediaPipe wasm from our own origin (never a CDN), the face models from the
// configured folder, and /app-config.json that tells the page where those are.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { PageConfig } from '../../schema/public-types.ts';
import { HttpError } from './http-errors.ts';
import { pagePolicy, securityHeaders } from './security-headers.ts';
import { sendFile } from './static-file.ts';

export const CLIENT_DIST = fileURLToPath(new URL('../../client/dist/', import.meta.url));
const WASM_DIR = dirname(fileURLToPath(import.meta.resolve('@mediapipe/tasks-vision/vision_wasm_internal.js')));
const WASM_FILES = /^vision_wasm(_module|_nosimd)?_internal\.(js|wasm)$/;
export const MODEL_FILES = { detector: 'face_detector.tflite', landmarker: 'face_landmarker.task' } as const;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export interface PagesOptions {
  faceModelsDir: string;
  /** Models elsewhere (official files): the page loads them from there. */
  faceModelsUrl: string | undefined;
  faceCheckIntervalMs: number;
  snapshotLimitBytes: number;
}

/** Without both model files the pages run with face checks off (and say so) rather than fail. */
export function hasLocalModels(dir: string): boolean {
  return Object.values(MODEL_FILES).every((file) => existsSync(join(dir, file)));
}

export function pageRoutes(options: PagesOptions): Router {
  const router = new Router();
  // On the page and on the scripts too: the face worker runs under its own script's policy.
  router.use(securityHeaders(pagePolicy(options.faceModelsUrl)));
  const config: PageConfig = {
    wasmBaseUrl: '/mediapipe/wasm',
    models: options.faceModelsUrl
      ? { detector: `${options.faceModelsUrl}/${MODEL_FILES.detector}`, landmarker: `${options.faceModelsUrl}/${MODEL_FILES.landmarker}` }
      : hasLocalModels(options.faceModelsDir)
        ? { detector: `/models/${MODEL_FILES.detector}`, landmarker: `/models/${MODEL_FILES.landmarker}` }
        : null,
    faceCheckIntervalMs: options.faceCheckIntervalMs,
    snapshotLimitBytes: options.snapshotLimitBytes,
  };

  const app = async (ctx: Context) => {
    if (!(await sendFile(ctx, join(CLIENT_DIST, 'index.html'), REVALIDATE))) {
      throw new HttpError(503, 'PAGE_NOT_BUILT', 'The candidate page is not built: run `npm run build:client` (npm ci does it too)');
    }
  };
  router.get('/i/:token', app);
  router.get('/h/:interviewId', app);
  router.get('/assets/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    if (!/^[\w.-]+$/.test(file) || !(await sendFile(ctx, join(CLIENT_DIST, 'assets', file), IMMUTABLE))) ctx.throw(404);
  });
  router.get('/mediapipe/wasm/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    if (!WASM_FILES.test(file) || !(await sendFile(ctx, join(WASM_DIR, file), 'public, max-age=86400'))) ctx.throw(404);
  });
  router.get('/models/:file', async (ctx) => {
    const file = ctx.params.file ?? '';
    const known = Object.values(MODEL_FILES) as string[];
    if (!known.includes(file) || !(await sendFile(ctx, join(options.faceModelsDir, file), 'public, max-age=86400'))) {
      throw new HttpError(404, 'NOT_FOUND', `No face model ${file} in PROCTOR_FACE_MODELS_DIR (${options.faceModelsDir})`);
    }
  });
  router.get('/app-config.json', (ctx) => {
    ctx.set('Cache-Control', REVALIDATE);
    ctx.body = config;
  });
  return router;
}
