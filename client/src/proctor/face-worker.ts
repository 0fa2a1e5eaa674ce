// The face checks, off the UI thread: a classic worker (tasks-vision's default fileset loads its
// wasm with importScripts there; a module worker would need the *_module_internal files and a
// distinct loader URL per task). FaceDetector counts faces; for exactly one face FaceLandmarker's
// transformation matrix gives the head pose.
//
// The shipped detector is the short-range one: a face that is small in the frame (a second
// person further back) scores low on the whole frame but clearly on a half. So each check also
// looks at the left and right halves and merges what the three views found.
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

let detector: FaceDetector | undefined;
let landmarker: FaceLandmarker | undefined;
/** VIDEO mode wants strictly increasing timestamps. */
let lastTimestamp = 0;

scope.onmessage = async ({ data }) => {
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
};

async function check(bitmap: ImageBitmap, at: number): Promise<FaceResult> {
  if (!detector || !landmarker) throw new Error('the face worker is not initialised');
  let started = performance.now();
  const half = Math.floor(bitmap.width / 2);
  const boxes = [...detect(detector, bitmap, 0)];
  for (const offset of [0, half]) {
    const tile = await createImageBitmap(bitmap, offset, 0, half, bitmap.height);
    boxes.push(...detect(detector, tile, offset));
    tile.close();
  }
  const faces = countDistinct(boxes);
  const detectorMs = performance.now() - started;
  const score = boxes.reduce<number | null>((best, box) => Math.max(best ?? 0, box.score), null);
  const result: FaceResult = { kind: 'result', at, faces, score, yaw: null, pitch: null, roll: null, detectorMs, landmarkerMs: null };
  if (faces !== 1) return result;
  const timestamp = Math.max(performance.now(), lastTimestamp + 1);
  lastTimestamp = timestamp;
  started = performance.now();
  const matrix = landmarker.detectForVideo(bitmap, timestamp).facialTransformationMatrixes?.[0];
  result.landmarkerMs = performance.now() - started;
  if (matrix) Object.assign(result, headPose(matrix.data));
  return result;
}

/** The detections in frame coordinates (a tile starts `offsetX` pixels in). */
function detect(faceDetector: FaceDetector, image: ImageBitmap, offsetX: number): Box[] {
  return faceDetector
    .detect(image)
    .detections.filter((d: Detection) => d.boundingBox)
    .map((d: Detection) => ({ x: d.boundingBox!.originX + offsetX, y: d.boundingBox!.originY, width: d.boundingBox!.width, height: d.boundingBox!.height, score: d.categories[0]?.score ?? 0 }));
}
