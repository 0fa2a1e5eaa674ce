// Whether each candidate's camera, mic and screen are flowing, and how well, as the SFU measures
// them: every tick reads the candidates' producer stats; a camera or mic that stays closed, paused
// or silent for `mediaLostAfterMs` raises MEDIA_LOST, a screen share SCREEN_SHARE_STOPPED (stored
// only when the interview requires the share: the monitoring service applies the config), and
// every second tick publishes StreamQuality per candidate and folds it into the summary row.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { MediaSource } from '../../contract/media-signaling.ts';
import type { Channel } from '../live/channel.ts';
import type { InterviewEvent } from '../live/events.ts';
import type { MonitoringService } from '../live/monitoring.ts';
import type { Logger } from '../log.ts';
import type { MediaRooms } from './media-rooms.ts';
import { qualityOf, type ProducerSample } from './quality.ts';
import { QualityStore } from './quality-store.ts';

export interface StreamWatchOptions {
  rooms: MediaRooms;
  orm: MikroORM;
  monitoring: MonitoringService;
  interviewEvents: Channel<InterviewEvent>;
  logger: Logger;
  /** How often producer stats are read (StreamQuality is published every second reading). */
  sampleIntervalMs: number;
  /** A camera or mic that stays closed, paused or silent this long raises MEDIA_LOST (a screen SCREEN_SHARE_STOPPED). */
  mediaLostAfterMs: number;
}

/** Whether one of a candidate's watched sources is flowing. */
interface SourceWatch {
  interviewId: string;
  candidateId: string;
  source: MediaSource;
  producerId: string | undefined;
  bytes: number;
  lastFlowAt: number;
  lost: boolean;
}

export class StreamWatch {
  readonly #options: StreamWatchOptions;
  readonly #quality: QualityStore;
  /** `${candidateId}/${source}` → its watch, kept across room re-creation. */
  readonly #watches = new Map<string, SourceWatch>();
  readonly #ticker: NodeJS.Timeout;
  #ticks = 0;
  #sampling = false;

  constructor(options: StreamWatchOptions) {
    this.#options = options;
    this.#quality = new QualityStore(options.orm);
    this.#ticker = setInterval(() => void this.#sample(), options.sampleIntervalMs).unref();
  }

  /** Starts (or moves to a new producer) the watch of a candidate's camera, mic or screen. */
  watch(interviewId: string, candidateId: string, source: MediaSource, producerId: string): void {
    const key = `${candidateId}/${source}`;
    const watch = this.#watches.get(key);
    if (watch) {
      watch.producerId = producerId;
      watch.bytes = 0;
    } else {
      this.#watches.set(key, { interviewId, candidateId, source, producerId, bytes: 0, lastFlowAt: Date.now(), lost: false });
    }
  }

  /** The interview's room closed for good: its candidates are watched no more. */
  forget(interviewId: string): void {
    for (const [key, watch] of this.#watches) if (watch.interviewId === interviewId) this.#watches.delete(key);
  }

  close(): void {
    clearInterval(this.#ticker);
  }

  /** Reads the candidates' producer stats: flow (MEDIA_LOST), and every other time StreamQuality. */
  async #sample(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    const publishQuality = this.#ticks++ % 2 === 1;
    const now = Date.now();
    try {
      for (const pending of this.#options.rooms.all()) {
        const open = await pending;
        if (!open || open.room.closed) continue;
        const byCandidate = new Map<string, ProducerSample[]>();
        for (const producer of open.room.producers()) {
          const { candidateId } = producer.tags;
          if (!candidateId) continue;
          const stats = await open.room.producerStats(producer.id).catch(() => []);
          const samples = byCandidate.get(candidateId) ?? [];
          samples.push({ clockRate: producer.clockRate, stats });
          byCandidate.set(candidateId, samples);
          const watch = this.#watches.get(`${candidateId}/${producer.tags.source}`);
          if (watch?.producerId === producer.id) {
            const bytes = stats.reduce((sum, stat) => sum + stat.byteCount, 0);
            if (bytes > watch.bytes && !producer.paused) {
              watch.lastFlowAt = now;
              watch.lost = false;
            }
            watch.bytes = bytes;
          }
        }
        if (publishQuality) for (const [candidateId, samples] of byCandidate) await this.#publishQuality(open.interviewId, candidateId, samples);
      }
      await this.#checkMediaLost(now);
    } catch (error) {
      this.#options.logger.error({ err: error }, 'media sampling failed');
    } finally {
      this.#sampling = false;
    }
  }

  async #publishQuality(interviewId: string, candidateId: string, samples: ProducerSample[]): Promise<void> {
    const quality = qualityOf(samples);
    if (!quality) return;
    this.#options.interviewEvents.publish(interviewId, { kind: 'StreamQuality', interviewId, candidateId, ...quality });
    await this.#quality.record(interviewId, candidateId, quality, new Date());
  }

  async #checkMediaLost(now: number): Promise<void> {
    for (const watch of this.#watches.values()) {
      const silentMs = now - watch.lastFlowAt;
      if (watch.lost || silentMs < this.#options.mediaLostAfterMs) continue;
      const pending = this.#options.rooms.find(watch.interviewId);
      if (!pending) continue;
      watch.lost = true;
      const open = await pending;
      const producer = watch.producerId ? open?.room.producer(watch.producerId) : undefined;
      const reason = !producer ? 'closed' : producer.paused ? 'paused' : 'no media';
      const type = watch.source === 'SCREEN' ? 'SCREEN_SHARE_STOPPED' : 'MEDIA_LOST';
      const recorded = await this.#options.monitoring.recordServerEvent(watch.candidateId, type, silentMs, { source: watch.source, reason, silentMs });
      if (!recorded) this.#options.logger.info({ candidateId: watch.candidateId, type }, 'not recorded: no monitoring session, the interview ended, or not monitored');
    }
  }
}
