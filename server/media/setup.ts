// Start-up of the media side: the worker pool on the configured ports, the address browsers are
// told to reach, and whether ffmpeg is there to record (one clear warning when it is not).
import { execFile } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { WorkerPool } from '../../sfu/worker-pool.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

export interface MediaRuntime {
  pool: WorkerPool;
  /** Undefined when recording is off or ffmpeg is missing. */
  ffmpegPath: string | undefined;
  /** Where the WebRTC sockets bind, and what ICE candidates carry. */
  listenIp: string;
  announcedAddress: string;
}

export async function startMedia(config: Config, logger: Logger): Promise<MediaRuntime> {
  const announcedAddress = config.announcedAddress ?? defaultAnnouncedAddress(config.rtcListenIp);
  const pool = await WorkerPool.create({
    size: config.sfuWorkers,
    listenIp: config.rtcListenIp,
    announcedAddress,
    rtcPort: config.rtcPort,
    iceTcpPort: config.iceTcpPort,
    log: (level, message, detail) => logger[level]({ component: 'sfu', ...detail }, message),
  });
  let ffmpegPath: string | undefined;
  if (config.recording) {
    const { problem } = await probeFfmpeg(config.ffmpegPath);
    if (problem) logger.warn(`recording disabled: ${problem} (install ffmpeg, or set PROCTOR_FFMPEG_PATH; PROCTOR_RECORDING=false silences this)`);
    else ffmpegPath = config.ffmpegPath;
  }
  return { pool, ffmpegPath, listenIp: config.rtcListenIp, announcedAddress };
}

/** A wildcard bind is not an address a browser can send to: use the first LAN IPv4 then. */
function defaultAnnouncedAddress(listenIp: string): string {
  if (listenIp !== '0.0.0.0' && listenIp !== '::') return listenIp;
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}

/** Runs `ffmpeg -version`: its first line, or why it cannot run. */
export function probeFfmpeg(path: string): Promise<{ version: string; problem?: undefined } | { version?: undefined; problem: string }> {
  return new Promise((resolve) =>
    execFile(path, ['-hide_banner', '-version'], { timeout: 10_000 }, (error, stdout) =>
      resolve(error ? { problem: `"${path}" cannot run (${error.message.split('\n')[0]})` } : { version: stdout.split('\n')[0]!.trim() }),
    ),
  );
}
