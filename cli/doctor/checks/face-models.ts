// The face models candidate pages load: fetched from where the page is told to fetch them, through
// the public URL, as a candidate's browser would.
import type { PageConfig } from '../../../contract/page-config.ts';
import type { Check } from '../check.ts';
import { reason, withSlash } from './public-url.ts';

export const faceModels: Check = {
  id: 'face-models',
  title: 'Face models served',
  async run({ publicUrl, timeoutMs }) {
    let config: PageConfig;
    try {
      const response = await fetch(new URL('app-config.json', withSlash(publicUrl)), { signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      config = (await response.json()) as PageConfig;
    } catch (error) {
      return { status: 'fail', detail: `cannot read the page configuration (${reason(error)})`, remedy: 'make the public URL reach this server (see "Public URL reachable")' };
    }
    if (!config.models) {
      return { status: 'warn', detail: 'face checks are off (PROCTOR_FACE_CHECKS=false): no FACE_MISSING, MULTIPLE_FACES or LOOKING_AWAY', remedy: 'unset PROCTOR_FACE_CHECKS' };
    }
    const sizes: string[] = [];
    for (const model of [config.models.detector, config.models.landmarker]) {
      const url = new URL(model, withSlash(publicUrl));
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        const bytes = (await response.arrayBuffer()).byteLength;
        if (!response.ok || bytes === 0) throw new Error(`HTTP ${response.status}, ${bytes} bytes`);
        sizes.push(`${url.pathname.split('/').pop()} ${(bytes / 1024 / 1024).toFixed(1)} MB`);
      } catch (error) {
        return {
          status: 'fail',
          detail: `${url.href}: ${reason(error)}`,
          remedy: 'put face_detector.tflite and face_landmarker.task in PROCTOR_FACE_MODELS_DIR (or fix PROCTOR_FACE_MODELS_URL), and let the proxy pass /models/',
        };
      }
    }
    return { status: 'ok', detail: sizes.join(', ') };
  },
};
