// Evidence that cannot hurt its report, on a real server and database: an upload must be a real
// JPEG of sane size, a bad snapshot already on disk costs one thumbnail (with a notice) instead of
// the whole PDF, and a download link is checked before the report's PDF is loaded.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { runInterview, waitForReport } from './support/interview-flow.ts';
import { pdfImages, pdfText } from './support/pdf.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { makeJpegs } from './support/snapshots.ts';
import { END_INTERVIEW } from './support/host-operations.ts';

const run = promisify(execFile);
/** Starts like a JPEG and ends like one, and is nothing else: what a hostile candidate page can send. */
const TEN_BYTE_JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00, 0x00, 0x00, 0xff, 0xd9]);

describe(`evidence (${describeDatabase()})`, () => {
  let server: TestPlatform;
  let host: GraphQLClient;
  let dataDir: string;

  before(async () => {
    server = await startTestPlatform();
    ({ client: host } = await signUp(new GraphQLClient(server.url)));
    dataDir = server.env.PROCTOR_DATA_DIR!;
  });
  after(() => server?.stop());

  /** A JPEG of the given size made by ffmpeg (a real encoder). */
  async function jpegOf(width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
    const file = join(dataDir, `test-${width}x${height}.jpg`);
    await run('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=gray:size=${width}x${height}`, '-frames:v', '1', file]);
    return new Uint8Array(await readFile(file));
  }

  it('accepts only a real JPEG of sane dimensions as a snapshot, and says what is wrong with anything else', async () => {
    const { candidateToken, sessionId } = await runInterview(server.url, host, { events: [{ type: 'FACE_MISSING', durationMs: 400 }], end: false });
    const upload = (body: Uint8Array<ArrayBuffer>) =>
      fetch(`${server.url}/api/snapshots?sessionId=${sessionId}&seq=0`, {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg', authorization: `Bearer ${candidateToken}` },
        body,
      });
    const png = (
      await run('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'color=size=64x64', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', '-'], { encoding: 'buffer' })
    ).stdout;
    const refused: [string, Uint8Array<ArrayBuffer>, RegExp][] = [
      ['ten bytes that start and end like a JPEG', TEN_BYTE_JPEG, /must be a JPEG image: this one has no readable image header/],
      ['a PNG sent as image/jpeg', new Uint8Array(png), /must be a JPEG image, not png/],
      ['a JPEG too small to show anything', await jpegOf(8, 8), /16 to 4096 pixels per side \(got 8×8\)/],
      ['a JPEG far too wide', await jpegOf(5000, 16), /16 to 4096 pixels per side \(got 5000×16\)/],
      ['a JPEG cut short', (await jpegOf(320, 180)).slice(0, -40), /complete JPEG/],
    ];
    for (const [what, bytes, message] of refused) {
      const response = await upload(bytes);
      assert.equal(response.status, 400, what);
      const { errors } = await response.json();
      assert.equal(errors[0].extensions.code, 'BAD_USER_INPUT', what);
      assert.match(errors[0].message, /^snapshot: /, what);
      assert.match(errors[0].message, message, what);
    }
    const accepted = await upload(await jpegOf(320, 180));
    assert.equal(accepted.status, 201);
    assert.equal((await accepted.json()).linked, true);
  });

  it('renders the report without a corrupt stored snapshot, saying so, and keeps the good one', async () => {
    const { interviewId } = await runInterview(server.url, host, {
      events: [
        { type: 'FACE_MISSING', durationMs: 400 },
        { type: 'LOOKING_AWAY', durationMs: 300, afterMs: 100 },
      ],
      end: false,
    });
    // As if stored before uploads were checked (or damaged on disk since): planted directly.
    const folder = join(dataDir, 'snapshots', interviewId);
    await mkdir(folder, { recursive: true });
    const [good] = await makeJpegs(join(dataDir, 'frames'), 1);
    const sql = server.platform.orm.em.getConnection();
    for (const [type, bytes] of [
      ['FACE_MISSING', TEN_BYTE_JPEG],
      ['LOOKING_AWAY', await readFile(good!)],
    ] as const) {
      const name = `${randomUUID()}.jpg`;
      await writeFile(join(folder, name), bytes);
      await sql.execute('update violations set snapshot_url = ? where interview_id = ? and type = ?', [`${server.url}/api/snapshots/${interviewId}/${name}`, interviewId, type]);
    }
    await host.ok(END_INTERVIEW, { id: interviewId });

    const report = await waitForReport(host, interviewId);
    assert.equal(report.status, 'READY', report.error);
    assert.equal(report.attempts, 1);
    const pdf = new Uint8Array(await (await fetch(report.downloadUrl)).arrayBuffer());
    const text = await pdfText(pdf);
    assert.match(text, /Snapshot could not be rendered/);
    assert.doesNotMatch(text, /Evidence\s+None recorded/);
    assert.equal(await pdfImages(pdf), 1, 'the good snapshot is still shown');
  });

  it('refuses a forged download link without loading the report', async () => {
    const { interviewId } = await runInterview(server.url, host, {});
    const report = await waitForReport(host, interviewId);
    const forged = report.downloadUrl.replace(/signature=[^&]+/, `signature=${'A'.repeat(43)}`);
    let genuine: Promise<Response> | undefined;
    let genuineAnswered = false;
    // While the reports table is locked, anything that reads it waits: the forged link must not.
    await server.platform.orm.em.fork().transactional(async (em) => {
      await em.execute('lock table reports in access exclusive mode');
      genuine = fetch(report.downloadUrl).finally(() => (genuineAnswered = true));
      const refused = await fetch(forged, { signal: AbortSignal.timeout(15_000) }).catch((error: Error) =>
        assert.fail(`the forged link waited for the locked reports table, so it read the report before checking the signature (${error.message})`),
      );
      assert.equal(refused.status, 401);
      assert.equal((await refused.json()).errors[0].extensions.code, 'UNAUTHENTICATED');
      const anonymous = await fetch(`${server.url}/reports/${report.id}.pdf`, { signal: AbortSignal.timeout(15_000) });
      assert.equal(anonymous.status, 401, 'no credentials at all: refused without reading either');
      await anonymous.arrayBuffer();
      assert.equal(genuineAnswered, false, 'the genuine link waits for the lock (the lock is real)');
    });
    const downloaded = await genuine!;
    assert.equal(downloaded.status, 200);
    assert.equal((await downloaded.arrayBuffer()).byteLength, report.pdfBytes);
  });
});
