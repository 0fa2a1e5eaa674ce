// What an evidence snapshot must be for a report to show it: a complete JPEG whose header parses
// (image-size reads the frame header the PDF renderer needs) with sane dimensions. The upload
// refuses anything else; the report checks stored files again, because a file that slipped in
// before this check existed, or was damaged on disk, must cost one thumbnail, never the report.
import { imageSize } from 'image-size';

/** Smallest and largest accepted width and height, in pixels (the candidate page sends about 320×180). */
export const SNAPSHOT_SIDE_PX = { min: 16, max: 4096 } as const;
const JPEG_END = [0xff, 0xd9];

/** Why `bytes` is not a usable snapshot image, or undefined when it is one. */
export function snapshotImageProblem(bytes: Uint8Array): string | undefined {
  let size: { width: number; height: number; type?: string | undefined };
  try {
    size = imageSize(bytes);
  } catch {
    return 'must be a JPEG image: this one has no readable image header';
  }
  if (size.type !== 'jpg') return `must be a JPEG image, not ${size.type ?? 'an unknown format'}`;
  const { min, max } = SNAPSHOT_SIDE_PX;
  if (size.width < min || size.height < min || size.width > max || size.height > max) {
    return `must be a JPEG image of ${min} to ${max} pixels per side (got ${size.width}×${size.height})`;
  }
  if (!JPEG_END.every((byte, i) => bytes[bytes.length - JPEG_END.length + i] === byte)) return 'must be a complete JPEG image (its end marker is missing)';
  return undefined;
}
