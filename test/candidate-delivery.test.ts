// Delivery across a server restart: the candidate page keeps what it could not send in its
// session storage, reconnects by itself, resumes its session, delivers every event exactly
// once and publishes its camera again. Real server (stopped and started again on the same port and data), real Chromium.
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { loadConfig } from '../server/config.ts';
import { Platform } from '../server/platform.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { joinAsCandidate, liveInterview } from './support/candidate-page.ts';
import { ensureClientBuilt } from './support/client-build.ts';
import { fakeCamera } from './support/fake-camera.ts';
import { describeDatabase, freshStorage } from './support/platform.ts';
import { until } from './support/until.ts';

interface StoredQueue {
  lastSeq: number;
  pending: { seq: number; type: string }[];
}

async function queueOf(page: Page): Promise<StoredQueue> {
  return page.evaluate(() => {
    const key = Object.keys(sessionStorage).find((k) => k.startsWith('proctor.queue.'));
    return key ? JSON.parse(sessionStorage.getItem(key)!) : { lastSeq: -1, pending: [] };
  });
}

describe(`candidate page delivery across a server restart (${describeDatabase()})`, function () {
  this.timeout(120_000);
  let storage: Awaited<ReturnType<typeof freshStorage>>;
  let platform: Platform | undefined;
  let browser: TestBrowser;

  before(async () => {
    await ensureClientBuilt();
    storage = await freshStorage();
    browser = await launchBrowser({ fakeVideo: await fakeCamera('one-face') });
  });
  after(async () => {
    await browser?.close();
    await platform?.close();
    await storage?.drop();
  });

  it('queues events while the server is down and delivers each exactly once after it is back', async () => {
    platform = await Platform.create(loadConfig(storage.env, { port: 0 }));
    const port = Number(new URL(platform.url).port);
    // Chromium's fake microphone beeps: audio is left out so the count below is exact.
    const fixture = await liveInterview(platform.url, { audioPolicy: 'IGNORE' });
    const page = await joinAsCandidate(browser, fixture.link);
    const sessionId = await page.getAttribute('body', 'data-session');

    await page.click('#notes', { button: 'right' });
    await until('the first event to be acknowledged', async () => (await queueOf(page)).lastSeq >= 0 && (await queueOf(page)).pending.length === 0);

    await platform.close();
    platform = undefined;
    await page.waitForFunction(() => document.getElementById('connection')?.textContent === 'reconnecting…');
    await page.evaluate(() => {
      const paste = new ClipboardEvent('paste', { clipboardData: new DataTransfer(), bubbles: true, cancelable: true });
      document.getElementById('notes')!.dispatchEvent(paste);
      document.getElementById('notes')!.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true }));
    });
    // The second context menu is held by the debounce and released when its 5 s window closes.
    await until('three events waiting', async () => (await queueOf(page)).pending.length >= 2, 10_000);
    const waiting = (await queueOf(page)).pending;

    platform = await Platform.create(loadConfig(storage.env, { port }));
    await until('the queue to drain', async () => (await queueOf(page)).pending.length === 0 && (await page.textContent('#connection')) === 'connected');
    // Its media comes back too: the room reopens on the new server and the page publishes again.
    await until("the camera at the new server's SFU", async () =>
      (await platform!.services.media.producerStats(fixture.interviewId)).some(({ producer, stats }) => producer.kind === 'VIDEO' && stats.some((stat) => stat.byteCount > 0)),
    );
    await until(
      'the held context menu',
      async () => {
        const rows = await platform!.orm.em
          .getConnection()
          .execute<{ n: number }[]>("select count(*)::int as n from events where session_id = ? and type = 'CONTEXT_MENU'", [sessionId]);
        return rows[0]!.n >= 2;
      },
      15_000,
    );

    const rows = await platform.orm.em
      .getConnection()
      .execute<{ seq: number; type: string }[]>('select seq, type from events where session_id = ? and seq is not null order by seq', [sessionId]);
    assert.equal(new Set(rows.map((r) => r.seq)).size, rows.length, 'no seq stored twice');
    for (const event of waiting)
      assert.ok(
        rows.some((r) => r.seq === event.seq && r.type === event.type),
        `${event.type} #${event.seq} was delivered`,
      );
    assert.deepEqual(rows.map((r) => r.type).sort(), ['CONTEXT_MENU', 'CONTEXT_MENU', 'COPY_PASTE'], 'nothing lost, nothing extra');
    const [session] = await platform.orm.em.getConnection().execute<{ n: number }[]>('select count(*)::int as n from sessions where candidate_id = ?', [fixture.candidateId]);
    assert.equal(session!.n, 1, 'the reconnect resumed the same session');
  });
});
