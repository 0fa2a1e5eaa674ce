// A recorder that never received a packet (a participant gone within a second of joining, a
// producer closed before its first frame) leaves a file with a header and no media, or no file at
// all. ffmpeg refuses such a file as an input, so a job that reads every track of a candidate (the
// composite, the speech analysis) would fail on it and lose every other track with it. One packet
// copied tells a track with media from one without.
import { spawn } from 'node:child_process';

/** Whether ffmpeg reads a packet of the file's first stream. Rejects when ffmpeg itself cannot run. */
export function hasMedia(ffmpegPath: string, path: string): Promise<boolean> {
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', path, '-map', '0:0', '-c', 'copy', '-frames', '1', '-f', 'null', '-'];
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code === 0));
  });
}
