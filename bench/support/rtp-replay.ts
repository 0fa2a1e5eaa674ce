// A cheap RTP load generator for the SFU bench: ffmpeg sends a few seconds of VP8 + opus once
// (in real time, -c copy) into local sockets; the packets are then replayed to any number of
// PlainTransports from this process, looped with sequence numbers and timestamps carried on and
// a distinct SSRC per stream — so hundreds of streams cost one process, not hundreds of ffmpegs.
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { ownChild } from './run.ts';

export interface CapturedPacket {
  /** Send time within the loop, from the packet's RTP timestamp. */
  offsetMs: number;
  payload: Buffer;
}

export interface CapturedStream {
  clockRate: number;
  packets: CapturedPacket[];
}

export interface Capture {
  video: CapturedStream;
  audio: CapturedStream;
  loopMs: number;
}

/** Records `seconds` of the file's RTP as ffmpeg paces it (-re). */
export async function captureRtp(file: string, seconds: number, payloadTypes: { video: number; audio: number }): Promise<Capture> {
  const sockets = await Promise.all([bindAny(), bindAny()]);
  const received: Buffer[][] = [[], []];
  sockets.forEach((socket, index) => socket.on('message', (message) => received[index]!.push(Buffer.from(message))));
  const target = (socket: Socket) => `rtp://127.0.0.1:${socket.address().port}?pkt_size=1200`;
  const ffmpeg = ownChild(
    spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-t',
        String(seconds),
        '-i',
        file,
        '-map',
        '0:v',
        '-c:v',
        'copy',
        '-payload_type',
        String(payloadTypes.video),
        '-f',
        'rtp',
        target(sockets[0]),
        '-map',
        '0:a',
        '-c:a',
        'copy',
        '-payload_type',
        String(payloadTypes.audio),
        '-f',
        'rtp',
        target(sockets[1]),
      ],
      { stdio: 'ignore' },
    ),
  );
  await new Promise<void>((resolve, reject) => {
    ffmpeg.once('error', reject);
    ffmpeg.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code} while capturing RTP`))));
  });
  for (const socket of sockets) socket.close();
  const stream = (packets: Buffer[], clockRate: number): CapturedStream => {
    // RTCP (packet types 200–204 in the second byte) is not replayed; our payload types never collide.
    const rtp = packets.filter((packet) => packet.length >= 12 && !(packet[1]! >= 200 && packet[1]! <= 204));
    const first = rtp[0]!.readUInt32BE(4);
    return { clockRate, packets: rtp.map((payload) => ({ offsetMs: ((payload.readUInt32BE(4) - first) >>> 0) / (clockRate / 1000), payload })) };
  };
  return { video: stream(received[0]!, 90000), audio: stream(received[1]!, 48000), loopMs: seconds * 1000 };
}

/** One replayed stream: where it goes and what it is called. */
export interface ReplayTarget {
  port: number;
  ssrc: number;
  stream: CapturedStream;
}

/** Sends every target's packets on schedule (a 2 ms tick), each loop continuing seq and timestamp. */
export class RtpReplayer {
  readonly #socket: Socket;
  readonly #loopMs: number;
  readonly #targets: { target: ReplayTarget; startedAt: number; next: number; loop: number }[] = [];
  readonly #timer: NodeJS.Timeout;

  private constructor(socket: Socket, loopMs: number) {
    this.#socket = socket;
    this.#loopMs = loopMs;
    this.#timer = setInterval(() => this.#tick(), 2);
  }

  static async create(loopMs: number): Promise<RtpReplayer> {
    return new RtpReplayer(await bindAny(), loopMs);
  }

  add(target: ReplayTarget): void {
    this.#targets.push({ target, startedAt: performance.now(), next: 0, loop: 0 });
  }

  close(): void {
    clearInterval(this.#timer);
    this.#socket.close();
  }

  #tick(): void {
    const now = performance.now();
    for (const entry of this.#targets) {
      const { packets, clockRate } = entry.target.stream;
      for (;;) {
        if (entry.next === packets.length) {
          entry.next = 0;
          entry.loop++;
        }
        const packet = packets[entry.next]!;
        if (entry.startedAt + entry.loop * this.#loopMs + packet.offsetMs > now) break;
        const out = Buffer.from(packet.payload);
        out.writeUInt16BE((out.readUInt16BE(2) + entry.loop * packets.length) & 0xffff, 2);
        out.writeUInt32BE((out.readUInt32BE(4) + Math.round((entry.loop * this.#loopMs * clockRate) / 1000)) >>> 0, 4);
        out.writeUInt32BE(entry.target.ssrc, 8);
        this.#socket.send(out, entry.target.port, '127.0.0.1');
        entry.next++;
      }
    }
  }
}

function bindAny(): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}
