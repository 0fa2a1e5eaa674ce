// Merging face boxes found in overlapping views of one frame: boxes that overlap are one face.
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
}

/** Two views of one face overlap well beyond this (intersection over the smaller box). */
const SAME_FACE_OVERLAP = 0.3;

export function countDistinct(boxes: Box[]): number {
  const kept: Box[] = [];
  for (const box of [...boxes].sort((a, b) => b.score - a.score)) {
    if (!kept.some((other) => overlap(box, other) > SAME_FACE_OVERLAP)) kept.push(box);
  }
  return kept.length;
}

function overlap(a: Box, b: Box): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  return (width * height) / Math.min(a.width * a.height, b.width * b.height);
}
