// The browser pages: the built Vite app (client/dist) at /i/:token, /h/:interviewId, /r/:interviewId and /s/:token, its
// hashed assets, the MediaPipe wasm from our own origin (never a CDN), the face models from the
// configured folder, and /app-config.json that tells the page where those are.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import type { Context } from 'koa';
import type { PageConfig } from '../../contract/page-config.ts';
import { ConfigError, type Config } from '../config.ts';
import { HttpError } from './http-errors.ts';
import { pagePolicy, securityHeaders } from './security-headers.ts';
import { sendFile } from './static-file.ts';

export const CLIENT_DIST = fileURLToPath(new URL('../../client/dist/', import.meta.url));
const WASM_DIR = dirname(fileURLToPath(import.meta.resolve('@mediapipe/tasks-vision/vision_wasm_internal.js')));
const WASM_FILES = /^vision_wasm(_module|_nosimd)?_internal\.(js|wasm)$/;
export const MODEL_FILES = { detector: 'face_detector.tflite', landmarker: 'face_landmarker.task' } as const;
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

export type FaceModels = PageConfig['models'];

export interface PagesOptions {
  faceModelsDir: string;
  /** Where the page loads the models from (see `locateFaceModels`); null: face checks are off. */
  faceModels: FaceModels;
  /** A base URL elsewhere that serves the models: the page's policy lets it connect there. */
  faceModelsUrl: string | undefined;
  faceCheckIntervalMs: number;
  snapshotLimitBytes: number;
  /** As the consent page says it: null when audio is not transcribed. */
  transcription: PageConfig['transcription'];
}

/**
 * Where candidate pages load the face models from: a configured URL (official files elsewhere) or
 * this server's /models/. Null only when face checks are turned off. Models that should be here
 * but are not stop the server: pages that silently never see a second face are worse than none.
 */
export function locateFaceModels(config: Pick<Config, 'faceChecks' | 'faceModelsDir' | 'faceModelsUrl'>): FaceModels {
  if (!config.faceChecks) return null;
  if (config.faceModelsUrl) return modelsAt(config.faceModelsUrl);
  const missing = Object.values(MODEL_FILES).filter((file) => !existsSync(join(config.faceModelsDir, file)));
  if (missing.length > 0) {
    throw new ConfigError([
      `PROCTOR_FACE_MODELS_DIR: face model files missing in ${config.faceModelsDir}: ${missing.join(', ')}. ` +
        `Candidate pages need ${Object.values(MODEL_FILES).join(' and ')} to check faces. To fix it, restore them ` +
        '(Proctor ships them in client/models), point PROCTOR_FACE_MODELS_DIR at a folder that has both, ' +
        'set PROCTOR_FACE_MODELS_URL to a base URL that serves both, or set PROCTOR_FACE_CHECKS=false to run candidate pages without face checks.',
    ]);
  }
  return modelsAt('/models');
}

function modelsAt(base: string): FaceModels {
  return { detector: `${base}/${MODEL_FILES.detector}`, landmarker: `${base}/${MODEL_FILES.landmarker}` };
}

export function pageRoutes(options: PagesOptions): Router {
  const router = new Router();
  // On the page and on the scripts too: the face worker runs under its own script's policy.
  router.use(securityHeaders(pagePolicy(options.faceModelsUrl)));
  const config: PageConfig = {
    wasmBaseUrl: '/mediapipe/wasm',
    models: options.faceModels,
    faceCheckIntervalMs: options.faceCheckIntervalMs,
    snapshotLimitBytes: options.snapshotLimitBytes,
    transcription: options.transcription,
  };

  const app = async (ctx: Context) => {
    if (!(await sendFile(ctx, join(CLIENT_DIST, 'index.html'), REVALIDATE))) {
      throw new HttpError(503, 'PAGE_NOT_BUILT', 'The candidate page is not built: run `npm run build:client` (npm ci does it too)');
    }
  };
  router.get('/i/:token', app);
  router.get('/h/:interviewId', app);
  router.get('/r/:interviewId', app);
  router.get('/s/:token', app);
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
