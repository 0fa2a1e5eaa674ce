// The face checks, off the UI thread: a classic worker (tasks-vision's default fileset loads its
// wasm with importScripts there; a module worker would need the *_module_internal files and a
// distinct loader URL per task). FaceDetector counts faces; for exactly one face FaceLandmarker's
// transformation matrix gives the head pose.
//
// The shipped detector is the short-range one: a face that is small in the frame (a second
// person further back) scores low on the whole frame but clearly on a half. So every fifth check
// also looks at the left and right halves, and what they found counts for the next second. The
// head pose is read every other check and counts for the next half second (looking away only
// matters after 2 s). Together that keeps the engine near 10 % of a core at 5 Hz.
import { FaceDetector, FaceLandmarker, FilesetResolver, type Detection } from '@mediapipe/tasks-vision';
import { headPose } from './head-pose.ts';
import { countDistinct, type Box } from './face-boxes.ts';
import type { FaceResult, FaceWorkerReply, FaceWorkerRequest } from './face-protocol.ts';

interface WorkerScope {
  onmessage: ((event: MessageEvent<FaceWorkerRequest>) => void) | null;
  postMessage(message: FaceWorkerReply): void;
}
const scope = self as unknown as WorkerScope;

const MIN_FACE_SCORE = 0.53;
const TILE_SCAN_EVERY = 5;
const TILE_RESULT_TTL_MS = 1200;
const POSE_EVERY = 2;
const POSE_TTL_MS = 600;

let checks = 0;
let tiles: { boxes: Box[]; at: number } = { boxes: [], at: 0 };
let pose: { yaw: number; pitch: number; roll: number; at: number } | undefined;

let detector: FaceDetector | undefined;
let landmarker: FaceLandmarker | undefined;
/** VIDEO mode wants strictly increasing timestamps. */
let lastTimestamp = 0;

// `handle` reports every failure to the page itself, so nothing is left to wait for here.
scope.onmessage = ({ data }) => void handle(data);

async function handle(data: FaceWorkerRequest): Promise<void> {
  try {
    if (data.kind === 'init') {
      const fileset = await FilesetResolver.forVisionTasks(data.wasmBaseUrl);
      detector = await FaceDetector.createFromOptions(fileset, {
        baseOptions: { modelAssetPath: data.models.detector, delegate: 'CPU' },
        runningMode: 'IMAGE',
        // Measured on the test pictures: a real face scores 0.56–0.92, a cat's face 0.50.
        minDetectionConfidence: MIN_FACE_SCORE,
      });
      landmarker = await FaceLandmarker.createFromOptions(fileset, {
        baseOptions: { modelAssetPath: data.models.landmarker, delegate: 'CPU' },
        runningMode: 'VIDEO',
        numFaces: 1,
        outputFacialTransformationMatrixes: true,
      });
      scope.postMessage({ kind: 'ready' });
      return;
    }
    const { bitmap, at } = data;
    try {
      scope.postMessage(await check(bitmap, at));
    } finally {
      bitmap.close();
    }
  } catch (error) {
    scope.postMessage({ kind: 'error', message: (error as Error).message });
  }
}

async function check(bitmap: ImageBitmap, at: number): Promise<FaceResult> {
  if (!detector || !landmarker) throw new Error('the face worker is not initialised');
  const check = checks++;
  let started = performance.now();
  const boxes = detect(detector, bitmap, 0);
  const scanHalves = check % TILE_SCAN_EVERY === 0;
  if (scanHalves) {
    const half = Math.floor(bitmap.width / 2);
    const found: Box[] = [];
    for (const offset of [0, half]) {
      const tile = await createImageBitmap(bitmap, offset, 0, half, bitmap.height);
      found.push(...detect(detector, tile, offset));
      tile.close();
    }
    tiles = { boxes: found, at };
  }
  if (at - tiles.at <= TILE_RESULT_TTL_MS) boxes.push(...tiles.boxes);
  const faces = countDistinct(boxes);
  const detectorMs = performance.now() - started;
  const score = boxes.reduce<number | null>((best, box) => Math.max(best ?? 0, box.score), null);
  const result: FaceResult = { kind: 'result', at, faces, score, yaw: null, pitch: null, roll: null, detectorMs, views: scanHalves ? 3 : 1, landmarkerMs: null };
  if (faces !== 1) {
    pose = undefined;
    return result;
  }
  if (check % POSE_EVERY !== 0 && pose && at - pose.at <= POSE_TTL_MS) return Object.assign(result, { yaw: pose.yaw, pitch: pose.pitch, roll: pose.roll });
  const timestamp = Math.max(performance.now(), lastTimestamp + 1);
  lastTimestamp = timestamp;
  started = performance.now();
  const matrix = landmarker.detectForVideo(bitmap, timestamp).facialTransformationMatrixes?.[0];
  result.landmarkerMs = performance.now() - started;
  pose = matrix ? { ...headPose(matrix.data), at } : undefined;
  return pose ? Object.assign(result, { yaw: pose.yaw, pitch: pose.pitch, roll: pose.roll }) : result;
}

/** The detections in frame coordinates (a tile starts `offsetX` pixels in). */
function detect(faceDetector: FaceDetector, image: ImageBitmap, offsetX: number): Box[] {
  return faceDetector
    .detect(image)
    .detections.filter((d: Detection) => d.boundingBox)
    .map((d: Detection) => ({
      x: d.boundingBox!.originX + offsetX,
      y: d.boundingBox!.originY,
      width: d.boundingBox!.width,
      height: d.boundingBox!.height,
      score: d.categories[0]?.score ?? 0,
    }));
}
