// mediasoup workers, one per core by default: each a separate process with its own WebRtcServer
// (one UDP and one TCP port, so a firewall needs only a short port list). A worker that dies is
// replaced on the same ports; listeners hear `workerDied` at once so rooms can move elsewhere.
import { EventEmitter } from 'node:events';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import type { WorkerInfo, WorkerListening } from './types.ts';

export interface WorkerPoolOptions {
  /** How many worker processes. */
  size: number;
  /** Address the WebRtcServers bind to. */
  listenIp: string;
  /** Address put in ICE candidates when clients must reach another one (NAT, public IP). */
  announcedAddress: string | undefined;
  /** Worker i listens on UDP and TCP port `rtcPort + i`; 0 picks free ports (tests). */
  rtcPort: number;
  /**
   * Worker i also takes ICE-TCP on port `iceTcpPort + i`, for browsers whose firewall lets only
   * a well-known port through.
   */
  iceTcpPort?: number | undefined;
  /** Logs worker deaths and restarts. */
  log?: (level: 'info' | 'warn' | 'error', message: string, detail?: Record<string, unknown>) => void;
}

/** One worker process and its WebRtcServer (the SFU's own: rooms are placed on it). */
export interface PoolWorker {
  readonly index: number;
  readonly worker: types.Worker;
  readonly webRtcServer: types.WebRtcServer;
  /** Routers placed on this worker (the load measure for placement). */
  routers: number;
}

type PoolEvents = {
  workerDied: [index: number];
  workerRestarted: [index: number];
};

const RESTART_DELAYS_MS = [100, 500, 2000, 5000];

export class WorkerPool extends EventEmitter<PoolEvents> {
  readonly #options: WorkerPoolOptions;
  readonly #slots: (PoolWorker | undefined)[];
  #restarts = 0;
  /** Why each worker being restarted could not start yet (a taken port, typically). */
  readonly #restartErrors = new Map<number, string>();
  #closed = false;

  private constructor(options: WorkerPoolOptions) {
    super();
    this.#options = options;
    this.#slots = Array.from({ length: options.size }, () => undefined);
  }

  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.all(pool.#slots.map(async (_, index) => (pool.#slots[index] = await pool.#spawn(index))));
    } catch (error) {
      pool.close();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.#slots.length;
  }

  /** Workers replaced after dying, since the pool started. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The live worker with the fewest routers (a dead one being restarted is skipped). */
  leastLoaded(): PoolWorker {
    let best: PoolWorker | undefined;
    for (const slot of this.#slots) if (slot && !slot.worker.died && (!best || slot.routers < best.routers)) best = slot;
    if (!best) throw new Error('No mediasoup worker is running');
    return best;
  }

  /** The workers running now. */
  workers(): WorkerInfo[] {
    return this.#running().map(({ index, worker }) => ({ index, pid: worker.pid }));
  }

  /** Every worker slot: the addresses its WebRtcServer is bound to, or why it is not running. */
  async listening(): Promise<WorkerListening[]> {
    return Promise.all(
      this.#slots.map(async (slot, index) => {
        if (!slot || slot.worker.died) return { index, running: false, listen: [], problem: this.#restartErrors.get(index) ?? 'restarting' };
        const dump = await slot.webRtcServer.dump();
        return {
          index,
          running: true,
          listen: [
            ...dump.udpSockets.map(({ ip, port }) => ({ protocol: 'udp' as const, ip, port })),
            ...dump.tcpServers.map(({ ip, port }) => ({ protocol: 'tcp' as const, ip, port })),
          ],
        };
      }),
    );
  }

  /** CPU time (user + system) the worker at `index` has used, in milliseconds. */
  async cpuTimeMs(index: number): Promise<number> {
    const slot = this.#running().find((running) => running.index === index);
    if (!slot) throw new Error(`mediasoup worker ${index} is not running`);
    const usage = await slot.worker.getResourceUsage();
    return usage.ru_utime + usage.ru_stime;
  }

  close(): void {
    this.#closed = true;
    for (const slot of this.#slots) slot?.worker.close();
  }

  #running(): PoolWorker[] {
    return this.#slots.filter((slot): slot is PoolWorker => Boolean(slot && !slot.worker.died));
  }

  async #spawn(index: number): Promise<PoolWorker> {
    const { listenIp, announcedAddress, rtcPort, iceTcpPort } = this.#options;
    const worker = await mediasoup.createWorker({ logLevel: 'warn', appData: { index } });
    try {
      const port = rtcPort === 0 ? undefined : rtcPort + index;
      const listenInfos: types.TransportListenInfo[] = (['udp', 'tcp'] as const).map((protocol) => ({ protocol, ip: listenIp, announcedAddress, port }));
      // Every transport of the server gets a candidate per listen info: browsers try them all.
      if (iceTcpPort !== undefined) listenInfos.push({ protocol: 'tcp', ip: listenIp, announcedAddress, port: iceTcpPort + index });
      const webRtcServer = await worker.createWebRtcServer({ listenInfos });
      const slot: PoolWorker = { index, worker, webRtcServer, routers: 0 };
      worker.on('died', (error) => this.#onDied(slot, error));
      return slot;
    } catch (error) {
      worker.close();
      const ports = [rtcPort === 0 ? 'any port' : String(rtcPort + index)];
      if (iceTcpPort !== undefined) ports.push(`TCP ${iceTcpPort + index}`);
      throw new Error(`mediasoup worker ${index}: cannot listen on ${listenIp}:${ports.join(' and ')}: ${(error as Error).message}`, { cause: error });
    }
  }

  #onDied(slot: PoolWorker, error: Error): void {
    if (this.#closed) return;
    this.#options.log?.('error', 'mediasoup worker died; restarting it', { index: slot.index, pid: slot.worker.pid, err: error.message });
    this.#slots[slot.index] = undefined;
    this.emit('workerDied', slot.index);
    void this.#restart(slot.index);
  }

  async #restart(index: number): Promise<void> {
    for (let attempt = 0; !this.#closed; attempt++) {
      // The dead process's ports are free only once the OS has reaped it: retry with backoff.
      await new Promise((resolve) => setTimeout(resolve, RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]));
      try {
        const slot = await this.#spawn(index);
        if (this.#closed) return slot.worker.close();
        this.#slots[index] = slot;
        this.#restartErrors.delete(index);
        this.#restarts++;
        this.#options.log?.('info', 'mediasoup worker restarted', { index, pid: slot.worker.pid });
        this.emit('workerRestarted', index);
        return;
      } catch (error) {
        this.#restartErrors.set(index, (error as Error).message);
        this.#options.log?.('warn', 'mediasoup worker restart failed; retrying', { index, attempt, err: (error as Error).message });
      }
    }
  }
}
