// The retention sweep on real files and a real database: recordings and snapshots older than the
// retention that applies (the org's, or the interview's own when shorter) go; the rest stays.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { until } from './support/until.ts';

const DAY_MS = 86_400_000;
const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

describe(`retention sweep (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;

  before(async () => {
    server = await startTestPlatform();
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
  });
  after(async () => server?.stop());

  async function file(path: string, ageDays: number): Promise<string> {
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, Buffer.alloc(1000));
    const at = new Date(Date.now() - ageDays * DAY_MS);
    await utimes(path, at, at);
    return path;
  }

  it('validates the org retention setting', async () => {
    assert.equal((await host.error('mutation { setOrgRetention(retentionDays: 0) { id } }')).code, 'BAD_USER_INPUT');
    const { setOrgRetention } = await host.ok('mutation { setOrgRetention(retentionDays: 30) { retentionDays } }');
    assert.equal(setOrgRetention.retentionDays, 30);
  });

  it('deletes media older than the retention through the retention-sweep job', async () => {
    const dataDir = server.env.PROCTOR_DATA_DIR!;
    const make = (retentionDays: number) =>
      host.ok('mutation($c: InterviewConfigInput) { createInterview(input: { title: "Kept", config: $c }) { interview { id } } }', { c: { retentionDays } });
    const orgLimited = (await make(90)).createInterview.interview.id; // the org's 30 days apply
    const shorter = (await make(7)).createInterview.interview.id; // its own 7 days apply
    const unknown = randomUUID(); // not an interview of this database: left alone
    const old = await file(join(dataDir, 'recordings', orgLimited, `c-${Date.now()}.webm`), 40);
    const recent = await file(join(dataDir, 'snapshots', orgLimited, `${randomUUID()}.jpg`), 10);
    const oldSnapshot = await file(join(dataDir, 'snapshots', orgLimited, `${randomUUID()}.jpg`), 31);
    const weekOld = await file(join(dataDir, 'snapshots', shorter, `${randomUUID()}.jpg`), 8);
    const foreign = await file(join(dataDir, 'recordings', unknown, 'x.webm'), 400);

    await server.platform.jobs.sweepNow();
    await until('the sweep to delete the expired files', async () => !(await exists(old)) && !(await exists(weekOld)), 20_000);
    assert.equal(await exists(oldSnapshot), false);
    assert.equal(await exists(recent), true);
    assert.equal(await exists(foreign), true);
    // An emptied interview folder goes too.
    assert.deepEqual(await readdir(join(dataDir, 'recordings')).then((names) => names.sort()), [unknown]);
  });
});
