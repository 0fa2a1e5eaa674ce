// One recorded track: the room sends one producer (a participant's camera, mic or screen) as plain
// RTP to a local ffmpeg, which copies it (no re-encoding) into its own WebM/Matroska file, so each
// track can be played, aligned and analysed on its own. The consumer resumes once ffmpeg has bound
// its RTP ports, then key frames are asked for so a video file starts on a decodable picture.
//
// Stopping must not lose the track's end: on a busy machine ffmpeg runs seconds behind the packets
// waiting in its socket, and ffmpeg's own ways to stop ('q', a signal) drop what it has not read
// yet. So `stop()` cuts the flow (the plain transport closes) and lets ffmpeg drain: it ends by
// itself, finalizing the file, once its input has been quiet for INPUT_QUIET_S. While recording, a
// keepalive to its RTCP port keeps a stalled track (a candidate's network dropping out) from
// looking quiet. If ffmpeg does not end in time it is killed and the file rewritten (duration,
// cues). ffmpeg also ends by itself when the file reaches its size cap (-fs); the owner hears of it.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Room } from '../../sfu/room.ts';
import type { PlainOutput } from '../../sfu/types.ts';
import type { Logger } from '../log.ts';
import { freeUdpPortPair, udpPortsBoundBy } from './ports.ts';
import { containerFor, recordingSdp, type SdpStream } from './sdp.ts';

const LOCAL_IP = '127.0.0.1';
/**
 * Longest wait for ffmpeg to bind its RTP ports (it reads the SDP first, seconds later on a busy
 * machine) before media flows anyway.
 */
const FFMPEG_OPEN_TIMEOUT_MS = 15_000;
/** How often ffmpeg's bound ports are looked at while it starts. */
const FFMPEG_OPEN_POLL_MS = 20;
/** Key frames asked for at these delays after resuming: the first may arrive before ffmpeg's probe. */
const KEY_FRAME_DELAYS_MS = [0, 1000, 2500];
/**
 * ffmpeg ends once its input has been quiet this long (its SDP demuxer's listen_timeout): after
 * `stop()` closed the flow, that is once it has read every packet that reached it.
 */
const INPUT_QUIET_S = 3;
/** How often the keepalive reaches ffmpeg's RTCP port: well within INPUT_QUIET_S, even with a slow event loop. */
const KEEPALIVE_EVERY_MS = 500;
/** An empty RTCP receiver report (RFC 3550 §6.4.2, no report blocks): ffmpeg reads and ignores it. */
const KEEPALIVE_PACKET = Uint8Array.of(0x80, 201, 0, 1, 0, 0, 0, 0);
/** After the flow is cut, how long ffmpeg may take to drain and finalize before it is killed. */
const STOP_KILL_AFTER_MS = INPUT_QUIET_S * 1000 + 10_000;

/**
 * Why ffmpeg ended without `stop()`: the file reached its size cap, or no packet (nor keepalive)
 * came for INPUT_QUIET_S (both finalized), or ffmpeg failed.
 */
export type RecordingEnd = 'size-limit' | 'input-quiet' | 'failed';

export interface RecordingOptions {
  room: Room;
  producerId: string;
  /** `<dataDir>/recordings/<interviewId>` */
  directory: string;
  /** The file's name without its extension, unique in `directory`. */
  name: string;
  ffmpegPath: string;
  /** ffmpeg finalizes the file and ends once it reaches this size, in bytes. */
  maxBytes: number;
  logger: Logger;
  /** ffmpeg ended on its own (not through `stop()`). */
  onEnded: (recording: Recording, end: RecordingEnd) => void;
}

export class Recording {
  readonly id = randomUUID();
  readonly path: string;
  readonly startedAt: Date;
  readonly producerId: string;
  readonly #ffmpeg: ChildProcess;
  readonly #output: PlainOutput;
  readonly #exited: Promise<number | null>;
  readonly #timers: NodeJS.Timeout[];
  readonly #keepalive: Keepalive;
  readonly #ffmpegPath: string;
  readonly #logger: Logger;
  #stopping: Promise<Date> | undefined;

  private constructor(fields: {
    path: string;
    startedAt: Date;
    producerId: string;
    ffmpeg: ChildProcess;
    output: PlainOutput;
    exited: Promise<number | null>;
    timers: NodeJS.Timeout[];
    keepalive: Keepalive;
    ffmpegPath: string;
    logger: Logger;
  }) {
    this.path = fields.path;
    this.startedAt = fields.startedAt;
    this.producerId = fields.producerId;
    this.#ffmpeg = fields.ffmpeg;
    this.#output = fields.output;
    this.#exited = fields.exited;
    this.#timers = fields.timers;
    this.#keepalive = fields.keepalive;
    this.#ffmpegPath = fields.ffmpegPath;
    this.#logger = fields.logger;
  }

  static async start({ room, producerId, directory, name, ffmpegPath, maxBytes, logger, onEnded }: RecordingOptions): Promise<Recording> {
    let output: PlainOutput | undefined;
    let keepalive: Keepalive | undefined;
    const sdpPath = join(directory, `.${name}.sdp`);
    try {
      await mkdir(directory, { recursive: true });
      const port = await freeUdpPortPair(LOCAL_IP);
      output = await room.plainOutput(producerId, { ip: LOCAL_IP, port, rtcpPort: port + 1 });
      const stream: SdpStream = { port, kind: output.consumer.kind, rtpParameters: output.consumer.rtpParameters };
      await writeFile(sdpPath, recordingSdp(LOCAL_IP, [stream]));
      const path = join(directory, `${name}.${containerFor([stream])}`);
      const ffmpeg = spawn(
        ffmpegPath,
        [
          '-hide_banner',
          '-loglevel',
          'error',
          '-nostats',
          '-nostdin',
          '-protocol_whitelist',
          'file,udp,rtp',
          '-fflags',
          '+genpts',
          '-listen_timeout',
          String(INPUT_QUIET_S),
          '-i',
          sdpPath,
          '-map',
          '0',
          '-c',
          'copy',
          '-fs',
          String(maxBytes),
          // Each packet reaches the file as it is muxed: without it a low-rate track (mic audio)
          // sits in ffmpeg's output buffer, and the file stays empty for a long while.
          '-flush_packets',
          '1',
          '-f',
          path.endsWith('.webm') ? 'webm' : 'matroska',
          '-y',
          path,
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      ffmpeg.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
      const exited = new Promise<number | null>((resolve) => {
        ffmpeg.once('error', (error) => {
          logger.error({ err: error, path }, 'ffmpeg could not start');
          resolve(null);
        });
        ffmpeg.once('exit', (code, signal) => {
          if (code !== 0) logger.warn({ code, signal, path, stderr: stderr.trim() }, 'ffmpeg recording exited with an error');
          resolve(code);
        });
      });
      // ffmpeg reads the SDP file when it gets round to it (seconds later on a busy machine):
      // removed only once ffmpeg is done.
      void exited.then(() => rm(sdpPath, { force: true }));
      const listeningAfterMs = await Recording.#untilListening(ffmpeg, [port], exited, logger, path);
      keepalive = new Keepalive(LOCAL_IP, port + 1);
      const { consumer } = output;
      // The file's t = 0 is the first packet after the resume: stamped before asking for it, as
      // the answer can come back hundreds of ms after packets have started to flow on a busy machine.
      const startedAt = new Date();
      await consumer.resume();
      const timers =
        consumer.kind === 'video'
          ? KEY_FRAME_DELAYS_MS.map((delay) =>
              setTimeout(() => {
                if (!consumer.closed) void consumer.requestKeyFrame().catch(() => {});
              }, delay),
            )
          : [];
      logger.info({ path, codec: stream.rtpParameters.codecs[0]!.mimeType, listeningAfterMs }, 'recording started');
      const recording = new Recording({ path, startedAt, producerId, ffmpeg, output, exited, timers, keepalive, ffmpegPath, logger });
      // -fs is the only way ffmpeg ends cleanly on its own while RTP keeps arriving.
      void exited.then(async (code) => {
        if (recording.#stopping) return;
        // -fs stops at the first packet past the cap: a file that reached it ended there.
        const size =
          code === 0
            ? await stat(path).then(
                (info) => info.size,
                () => 0,
              )
            : 0;
        onEnded(recording, code !== 0 ? 'failed' : size >= maxBytes * 0.99 ? 'size-limit' : 'input-quiet');
      });
      return recording;
    } catch (error) {
      keepalive?.close();
      output?.close();
      await rm(sdpPath, { force: true });
      throw error;
    }
  }

  /**
   * Resolves once ffmpeg has bound every RTP port, with the milliseconds that took: packets sent
   * before that are dropped, and with them the key frame the file must start on. Also resolves
   * (undefined) when ffmpeg exits first (its exit is reported on its own), and after
   * FFMPEG_OPEN_TIMEOUT_MS with a warning. Only Linux's /proc shows another process's sockets:
   * elsewhere media flows at once and the later key frame requests give the file its first picture.
   */
  static async #untilListening(ffmpeg: ChildProcess, ports: number[], exited: Promise<unknown>, logger: Logger, path: string): Promise<number | undefined> {
    if (process.platform !== 'linux' || ffmpeg.pid === undefined) return undefined;
    let running = true;
    void exited.then(() => (running = false));
    const started = performance.now();
    while (running) {
      const bound = await udpPortsBoundBy(ffmpeg.pid);
      if (!bound) return undefined;
      if (ports.every((port) => bound.has(port))) return Math.round(performance.now() - started);
      if (performance.now() - started > FFMPEG_OPEN_TIMEOUT_MS) {
        logger.warn(
          { path, ports, timeoutMs: FFMPEG_OPEN_TIMEOUT_MS },
          'ffmpeg did not open its RTP ports in time: media flows anyway, the recording may lack its first seconds',
        );
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, FFMPEG_OPEN_POLL_MS));
    }
    return undefined;
  }

  /** Finalizes the file; resolves with the end time. Safe to call more than once. */
  stop(): Promise<Date> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<Date> {
    const endedAt = new Date();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#keepalive.close();
    this.#output.close();
    if (this.#ffmpeg.exitCode === null && this.#ffmpeg.signalCode === null) {
      const kill = setTimeout(() => this.#ffmpeg.kill('SIGKILL'), STOP_KILL_AFTER_MS);
      await this.#exited;
      clearTimeout(kill);
      if (this.#ffmpeg.signalCode === 'SIGKILL') this.#logger.warn({ path: this.path, afterMs: STOP_KILL_AFTER_MS }, 'ffmpeg did not finalize the recording in time: killed');
    }
    // Killed (by us, or by whatever else), ffmpeg left the file without its duration and cues.
    if (this.#ffmpeg.signalCode !== null) await this.#rewrite();
    return endedAt;
  }

  /** Copies a killed recording into a finalized file (duration, cues) in its place. */
  async #rewrite(): Promise<void> {
    const copy = `${this.path}.finalizing`;
    const format = this.path.endsWith('.webm') ? 'webm' : 'matroska';
    const code = await new Promise<number | null>((resolve) => {
      const remux = spawn(this.#ffmpegPath, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', this.path, '-map', '0', '-c', 'copy', '-f', format, '-y', copy], {
        stdio: 'ignore',
      });
      remux.once('error', () => resolve(null));
      remux.once('exit', resolve);
    });
    if (code === 0) await rename(copy, this.path);
    else {
      await rm(copy, { force: true });
      this.#logger.warn({ path: this.path }, 'a recording cut off by SIGKILL could not be rewritten: it plays, without its duration');
    }
  }
}

/** Sends an ignorable RTCP packet to a local port every KEEPALIVE_EVERY_MS until closed. */
class Keepalive {
  readonly #socket: Socket;
  readonly #timer: NodeJS.Timeout;

  constructor(ip: string, port: number) {
    this.#socket = createSocket('udp4');
    // Nothing to do about a lost keepalive: the next one follows.
    this.#socket.on('error', () => {});
    const send = () => this.#socket.send(KEEPALIVE_PACKET, port, ip, () => {});
    send();
    this.#timer = setInterval(send, KEEPALIVE_EVERY_MS);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#socket.close();
  }
}
