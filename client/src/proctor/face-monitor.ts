// The page side of the face checks: grabs a frame from the camera preview every interval as an
// ImageBitmap, hands it (transferred, not copied) to the worker, and passes results on. A frame
// is skipped while the previous one is still being checked, so a slow machine lowers the rate
// instead of queueing work.
import type { PageConfig } from '../../../contract/page-config.ts';
import type { FaceResult, FaceWorkerReply, FaceWorkerRequest } from './face-protocol.ts';

const FRAME_WIDTH = 640;
const SNAPSHOT_WIDTH = 320;

export class FaceMonitor {
  readonly #worker: Worker;
  readonly #video: HTMLVideoElement;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #busy = false;
  #listener: (result: FaceResult) => void = () => {};
  /** Results in the last second, for the fps telemetry. */
  readonly #recent: number[] = [];

  private constructor(worker: Worker, video: HTMLVideoElement, intervalMs: number) {
    this.#worker = worker;
    this.#video = video;
    this.#intervalMs = intervalMs;
  }

  /** Loads the models in a worker; fails with a readable message when they cannot be loaded. */
  static async create(video: HTMLVideoElement, config: PageConfig): Promise<FaceMonitor> {
    if (!config.models) throw new Error('this server has no face models configured');
    const worker = new Worker(new URL('./face-worker.ts', import.meta.url));
    const ready = new Promise<void>((resolve, reject) => {
      worker.onmessage = ({ data }: MessageEvent<FaceWorkerReply>) => (data.kind === 'ready' ? resolve() : data.kind === 'error' ? reject(new Error(data.message)) : undefined);
      worker.onerror = (event) => reject(new Error(event.message || 'the face worker failed to start'));
    });
    worker.postMessage({ kind: 'init', wasmBaseUrl: new URL(config.wasmBaseUrl, location.href).href, models: absolute(config.models) } satisfies FaceWorkerRequest);
    try {
      await ready;
    } catch (error) {
      worker.terminate();
      throw error;
    }
    const monitor = new FaceMonitor(worker, video, config.faceCheckIntervalMs);
    worker.onmessage = ({ data }: MessageEvent<FaceWorkerReply>) => monitor.#receive(data);
    return monitor;
  }

  start(listener: (result: FaceResult) => void): void {
    this.#listener = listener;
    clearInterval(this.#timer);
    this.#timer = setInterval(() => void this.#grab(), this.#intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Checked frames per second over the last second. */
  get fps(): number {
    const since = performance.now() - 1000;
    while (this.#recent.length && this.#recent[0]! < since) this.#recent.shift();
    return this.#recent.length;
  }

  /** The current camera frame, downscaled, as a JPEG (evidence for a face violation). */
  async snapshot(): Promise<Blob | null> {
    const { videoWidth, videoHeight } = this.#video;
    if (!videoWidth || !videoHeight) return null;
    const canvas = document.createElement('canvas');
    canvas.width = SNAPSHOT_WIDTH;
    canvas.height = Math.round((SNAPSHOT_WIDTH * videoHeight) / videoWidth);
    canvas.getContext('2d')!.drawImage(this.#video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.7));
  }

  close(): void {
    this.stop();
    this.#worker.terminate();
  }

  async #grab(): Promise<void> {
    const video = this.#video;
    if (this.#busy || video.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || !video.videoWidth) return;
    this.#busy = true;
    try {
      const width = Math.min(FRAME_WIDTH, video.videoWidth);
      const bitmap = await createImageBitmap(video, { resizeWidth: width, resizeHeight: Math.round((width * video.videoHeight) / video.videoWidth) });
      this.#worker.postMessage({ kind: 'frame', bitmap, at: Date.now() } satisfies FaceWorkerRequest, [bitmap]);
    } catch {
      this.#busy = false;
    }
  }

  #receive(reply: FaceWorkerReply): void {
    this.#busy = false;
    if (reply.kind !== 'result') return;
    this.#recent.push(performance.now());
    this.#listener(reply);
    // For tooling (bench/client.ts reads the per-frame inference times): costs nothing unheard.
    dispatchEvent(new CustomEvent('proctor:face-result', { detail: reply }));
  }
}

function absolute(models: { detector: string; landmarker: string }): { detector: string; landmarker: string } {
  return { detector: new URL(models.detector, location.href).href, landmarker: new URL(models.landmarker, location.href).href };
}
