// Every track, whatever its container (WebM fragments from the SFU, WAV in tests), is decoded once
// by ffmpeg into 16 kHz mono 16-bit PCM: what the voice activity detector and pocketsphinx read.
// A recorded track has holes wherever no packet arrived (packets lost on the way, a muted or
// paused microphone): its samples are laid out by their timestamps, holes filled with silence, so
// that a position in the PCM is a position on the track's clock (a plain decode closes the holes
// up and everything after one would be placed early).
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';

export const SAMPLE_RATE = 16_000;
/** The header of a plain PCM WAV file as wavBytes writes it. */
export const WAV_HEADER_BYTES = 44;

/** Writes the first audio stream of `input` as a 16 kHz mono WAV file at `output`. */
export async function decodeToWav(ffmpegPath: string, input: string, output: string): Promise<void> {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-i',
    input,
    '-map',
    '0:a:0',
    '-vn',
    '-af',
    'asetpts=PTS-STARTPTS,aresample=async=1',
    '-ac',
    '1',
    '-ar',
    String(SAMPLE_RATE),
    '-c:a',
    'pcm_s16le',
    '-f',
    'wav',
    output,
  ];
  await new Promise<void>((resolve, reject) => {
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg could not decode ${input}: ${stderr.trim() || `exit ${code}`}`))));
  });
}

/** The samples of a 16-bit PCM WAV file (its data chunk, wherever the header puts it). */
export async function readWavSamples(path: string): Promise<Int16Array> {
  const bytes = await readFile(path);
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${path} is not a WAV file`);
  for (let offset = 12; offset + 8 <= bytes.length;) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    if (id === 'data') {
      const start = offset + 8;
      // ffmpeg writing to a pipe leaves the size unset (0xFFFFFFFF): the data runs to the end.
      const end = Math.min(bytes.length, start + size) & ~1;
      return new Int16Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + end));
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error(`${path} has no audio data`);
}

/** A 16 kHz mono 16-bit PCM WAV file of `samples`: what readWavSamples reads back. */
export function wavBytes(samples: Int16Array): Buffer<ArrayBuffer> {
  const bytes = Buffer.alloc(WAV_HEADER_BYTES + samples.byteLength);
  bytes.write('RIFF', 0, 'ascii');
  bytes.writeUInt32LE(WAV_HEADER_BYTES - 8 + samples.byteLength, 4);
  bytes.write('WAVEfmt ', 8, 'ascii');
  bytes.writeUInt32LE(16, 16);
  bytes.writeUInt16LE(1, 20); // PCM
  bytes.writeUInt16LE(1, 22); // mono
  bytes.writeUInt32LE(SAMPLE_RATE, 24);
  bytes.writeUInt32LE(SAMPLE_RATE * 2, 28);
  bytes.writeUInt16LE(2, 32);
  bytes.writeUInt16LE(16, 34);
  bytes.write('data', 36, 'ascii');
  bytes.writeUInt32LE(samples.byteLength, 40);
  bytes.set(new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength), WAV_HEADER_BYTES);
  return bytes;
}
