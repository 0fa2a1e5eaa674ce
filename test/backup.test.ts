// `proctor backup` of a running `proctor up` on the embedded database while three candidates keep
// reporting events, then `proctor restore` into a new data dir and a server started on it: every
// event acknowledged before the backup began is there, every batch is there whole or not at all
// (the copy is consistent), nothing is there that was never acknowledged, the finished
// interview's report and its PDF are there, and so is every recording and snapshot file, byte for
// byte. The restore refuses a non-empty dir and an archive cut short. On a PostgreSQL server the
// backup refuses and says to use pg_dump.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupResult } from '../cli/commands/backup.ts';
import { loadConfig } from '../server/config.ts';
import { Platform } from '../server/platform.ts';
import { DEVICE, JOIN_SESSION, REPORT_EVENTS } from './support/candidate-fixtures.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { START_INTERVIEW } from './support/host-operations.ts';
import { runInterview, waitForReport } from './support/interview-flow.ts';
import { connect, type WsClient } from './support/live.ts';
import { describeDatabase, freshStorage, USING_SERVER } from './support/platform.ts';
import { runProctor, squash, UpProcess } from './support/proctor-cli.ts';
import { until } from './support/until.ts';

const CANDIDATES = 3;
const PER_BATCH = 10;
/** Each candidate sends a batch this often: 40 events/s, under the per-session rate limit. */
const BATCH_EVERY_MS = 250;
const TYPES = ['TAB_SWITCH', 'WINDOW_BLUR', 'FACE_MISSING', 'LOOKING_AWAY'] as const;

/** One candidate reporting batch after batch until stopped; remembers which batches were acknowledged. */
class Sender {
  readonly sessionId: string;
  readonly acked = new Set<number>();
  readonly #socket: WsClient;
  #stopped = false;
  readonly #loop: Promise<void>;

  private constructor(socket: WsClient, sessionId: string) {
    this.#socket = socket;
    this.sessionId = sessionId;
    this.#loop = this.#run();
  }

  static async join(url: string, token: string): Promise<Sender> {
    const socket = connect(url, token);
    const { joinSession } = await socket.request(JOIN_SESSION, { device: DEVICE });
    return new Sender(socket, joinSession.id as string);
  }

  async #run(): Promise<void> {
    for (let batch = 0; !this.#stopped; batch++) {
      const pace = new Promise((resolve) => setTimeout(resolve, BATCH_EVERY_MS));
      const now = Date.now();
      const events = Array.from({ length: PER_BATCH }, (_, i) => ({
        seq: batch * PER_BATCH + i,
        type: TYPES[i % TYPES.length]!,
        occurredAt: new Date(now + i).toISOString(),
        durationMs: 20,
      }));
      const { reportEvents } = await this.#socket.request(REPORT_EVENTS, { sessionId: this.sessionId, events });
      assert.deepEqual(reportEvents.rejected, [], 'no event refused');
      this.acked.add(batch);
      await pace; // the candidate's own pace, not a wait for the server
    }
  }

  /** Stops after the batch in flight is acknowledged. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
    await this.#socket.dispose();
  }
}

async function writeRandomFile(path: string, bytes: number): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, randomBytes(bytes));
}

describe(`proctor backup and restore (${describeDatabase()})`, () => {
  if (USING_SERVER) {
    it('refuses on a PostgreSQL server and says to use pg_dump and which folders to copy', async () => {
      const storage = await freshStorage();
      const { up, url } = await UpProcess.started(storage.env);
      try {
        const out = join(storage.env.PROCTOR_DATA_DIR!, 'backup.tar');
        const result = await runProctor(['backup', '--server', url, '--data-dir', storage.env.PROCTOR_DATA_DIR!, '--out', out]);
        assert.equal(result.code, 5, result.stderr);
        assert.match(squash(result.stderr), /pg_dump .*recordings\/ and snapshots\//);
        await assert.rejects(stat(out), 'no archive written');
      } finally {
        await up.stop('SIGTERM');
        await storage.drop();
      }
    });
    return;
  }

  it('backs up while candidates report events; the restored server has every acknowledged event, the report and every file', async () => {
    const storage = await freshStorage();
    const dataDir = storage.env.PROCTOR_DATA_DIR!;
    const work = await mkdtemp(join(tmpdir(), 'proctor-backup-'));
    const restoredDir = join(work, 'restored');
    const archive = join(work, 'proctor.tar');
    const { up, url } = await UpProcess.started({ ...storage.env, PROCTOR_LOG_LEVEL: 'warn' });
    let upRunning = true;
    let restored: Platform | undefined;
    const senders: Sender[] = [];
    try {
      const { client: host } = await signUp(new GraphQLClient(url));
      // A finished interview with its report, and media files on disk.
      const finished = await runInterview(url, host, { title: 'Finished', events: [{ type: 'TAB_SWITCH', durationMs: 100 }, { type: 'WINDOW_BLUR' }] });
      const report = await waitForReport(host, finished.interviewId);
      assert.equal(report.status, 'READY');
      // The backup copies these folders whatever wrote them (the recording pipeline has its own tests).
      const files = [
        [`recordings/${finished.interviewId}/${finished.candidateId}-1.webm`, 3 * 1024 * 1024],
        [`recordings/${finished.interviewId}/${finished.candidateId}-2.mkv`, 70_000],
        [`snapshots/${finished.interviewId}/0b8c9a4e-5f0e-4c47-9d5e-4c3a8c1c2d3e.jpg`, 20_000],
      ] as const;
      for (const [path, bytes] of files) await writeRandomFile(join(dataDir, path), bytes);

      // A live interview whose candidates keep reporting through the backup.
      const live = (await host.ok('mutation { createInterview(input: { title: "Live" }) { interview { id } } }')).createInterview.interview.id as string;
      for (let i = 0; i < CANDIDATES; i++) {
        const invited = await host.ok('mutation($id: ID!, $name: String!, $email: String!) { inviteCandidate(interviewId: $id, name: $name, email: $email) { token } }', {
          id: live,
          name: `C${i}`,
          email: `c${i}@example.com`,
        });
        if (i === 0) await host.ok(START_INTERVIEW, { id: live });
        senders.push(await Sender.join(url, invited.inviteCandidate.token as string));
      }
      await until('every candidate to have 3 acknowledged batches', async () => senders.every((s) => s.acked.size >= 3));

      const ackedBefore = senders.map((s) => new Set(s.acked));
      const backup = await runProctor(['backup', '--server', url, '--data-dir', dataDir, '--out', archive, '--json']);
      assert.equal(backup.code, 0, backup.stderr);
      const result = JSON.parse(backup.stdout) as BackupResult;
      assert.equal(result.file, archive);
      assert.equal(result.entries, files.length + 2, 'the database, the files and the JWT key');
      assert.ok(result.databaseBytes > 0);
      assert.match(backup.stderr, /^backup: [\d.]+ MB of ~[\d.]+ MB \(\d+%\)$/m, 'progress on stderr');
      assert.ok(
        senders.some((s, i) => s.acked.size > ackedBefore[i]!.size),
        'events were acknowledged while the backup ran',
      );
      await Promise.all(senders.map((s) => s.stop()));
      const ackedAfter = senders.map((s) => s.acked);
      await up.stop('SIGTERM');
      upRunning = false;

      // Refusals: a dir that is not empty, an archive cut short (the manifest is its last entry).
      const busy = await runProctor(['restore', archive, '--data-dir', dataDir]);
      assert.equal(busy.code, 5);
      assert.match(squash(busy.stderr), /is not empty: .*--force/);
      const cut = join(work, 'cut.tar');
      await copyFile(archive, cut);
      await truncate(cut, (await stat(cut)).size - 4096);
      const refused = await runProctor(['restore', cut, '--data-dir', join(work, 'from-cut')]);
      assert.equal(refused.code, 5, refused.stderr);
      assert.match(squash(refused.stderr), /Not restored: .*(no manifest|not a readable backup archive)/);
      await assert.rejects(stat(join(work, 'from-cut', 'pgdata')), 'nothing written from a bad archive');

      const restore = await runProctor(['restore', archive, '--data-dir', restoredDir, '--json']);
      assert.equal(restore.code, 0, restore.stderr);
      assert.equal(JSON.parse(restore.stdout).files, files.length + 1);

      // A server on the restored data dir.
      restored = await Platform.create(loadConfig({ PROCTOR_DATA_DIR: restoredDir, PROCTOR_LOG_LEVEL: 'silent', PROCTOR_SFU_WORKERS: '1', PROCTOR_RTC_PORT: '0' }, { port: 0 }));
      // The JWT key came along: the host's login from before still works.
      const again = new GraphQLClient(restored.url, host.token);
      const { report: after } = await again.ok('query($id: ID!) { report(interviewId: $id) { status violationLogSha256 pdfBytes downloadUrl } }', { id: finished.interviewId });
      assert.equal(after.status, 'READY');
      assert.equal(after.violationLogSha256, report.violationLogSha256);
      const pdf = await fetch(after.downloadUrl);
      assert.equal(pdf.status, 200);
      assert.equal((await pdf.arrayBuffer()).byteLength, report.pdfBytes);

      for (const [i, sender] of senders.entries()) {
        const rows: { seq: number }[] = await restored.orm.em
          .getConnection()
          .execute<{ seq: number }[]>('select seq from events where session_id = ? and seq is not null', [sender.sessionId]);
        const seqs = new Set(rows.map((row) => row.seq));
        assert.equal(seqs.size, rows.length, 'no event twice');
        const batches = new Set([...seqs].map((seq) => Math.floor(seq / PER_BATCH)));
        for (const batch of batches) {
          for (let k = 0; k < PER_BATCH; k++) assert.ok(seqs.has(batch * PER_BATCH + k), `candidate ${i}: batch ${batch} restored whole`);
          assert.ok(ackedAfter[i]!.has(batch), `candidate ${i}: batch ${batch} was acknowledged`);
        }
        for (const batch of ackedBefore[i]!) assert.ok(batches.has(batch), `candidate ${i}: batch ${batch}, acknowledged before the backup, is restored`);
      }
      for (const [path] of files) assert.deepEqual(await readFile(join(restoredDir, path)), await readFile(join(dataDir, path)), `${path} restored byte for byte`);
      assert.equal(((await stat(join(restoredDir, 'jwt-secret'))).mode & 0o777).toString(8), '600', 'the JWT key stays private');
    } finally {
      await Promise.allSettled(senders.map((s) => s.stop()));
      if (upRunning) await up.kill();
      await restored?.close();
      await storage.drop();
      await rm(work, { recursive: true, force: true });
    }
  });
});
