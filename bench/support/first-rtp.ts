// When the first RTP bytes of an interview's camera reach the SFU: the end of a join as the
// benches time it (from the page's first createTransport).
import type { Platform } from '../../server/platform.ts';
import { Limit } from './limits.ts';

/** Wall-clock ms (Date.now()) at which the SFU first counted video bytes, polled every 5 ms; a Limit after 30 s. */
export async function firstVideoBytes(platform: Platform, interviewId: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const producers = await platform.services.media.producerStats(interviewId);
    const video = producers.find(({ producer }) => producer.kind === 'VIDEO');
    if (video && video.stats.some((stat) => stat.byteCount > 0)) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Limit('ack timeout', 'no RTP at the SFU within 30 s');
}
