// Yaw, pitch and roll in degrees from FaceLandmarker's facial transformation matrix (4×4,
// column-major as MediaPipe lays it out): the rotation part decomposed as R = Rz·Ry·Rx.
export interface HeadPose {
  yaw: number;
  pitch: number;
  roll: number;
}

const DEGREES = 180 / Math.PI;

export function headPose(matrix: ArrayLike<number>): HeadPose {
  const at = (row: number, column: number) => matrix[column * 4 + row]!;
  const yaw = Math.asin(clamp(-at(2, 0), -1, 1));
  const pitch = Math.atan2(at(2, 1), at(2, 2));
  const roll = Math.atan2(at(1, 0), at(0, 0));
  return { yaw: yaw * DEGREES, pitch: pitch * DEGREES, roll: roll * DEGREES };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
