// Messages between the page and the face worker.
export interface FaceWorkerInit {
  kind: 'init';
  wasmBaseUrl: string;
  models: { detector: string; landmarker: string };
}

export interface FaceWorkerFrame {
  kind: 'frame';
  bitmap: ImageBitmap;
  /** Epoch ms the frame was grabbed. */
  at: number;
}

export type FaceWorkerRequest = FaceWorkerInit | FaceWorkerFrame;

export interface FaceResult {
  kind: 'result';
  at: number;
  faces: number;
  /** Best detection score, 0–1. */
  score: number | null;
  yaw: number | null;
  pitch: number | null;
  roll: number | null;
  /** Detector time for this check: the whole frame, plus both halves when `views` is 3. */
  detectorMs: number;
  views: 1 | 3;
  /** Null when the landmarker did not run (it runs only for exactly one face). */
  landmarkerMs: number | null;
}

export type FaceWorkerReply = { kind: 'ready' } | { kind: 'error'; message: string } | FaceResult;
