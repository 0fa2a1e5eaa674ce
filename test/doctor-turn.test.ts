// `proctor doctor`'s TURN check against a real coturn (Debian's turnserver, docs/deploy.md's
// configuration, test/support/coturn.ts): a relay allocated over UDP and TCP with the right
// secret; the credential refused with a wrong one; no answer at a closed port. Each fault is a ✖
// with its remedy and exit code 1.
import assert from 'node:assert/strict';
import type { DoctorReport } from '../cli/commands/doctor.ts';
import type { CheckResult } from '../cli/doctor/check.ts';
import type { Config } from '../server/config.ts';
import { freePort } from '../bench/support/proctor-process.ts';
import { startCoturn, type Coturn } from './support/coturn.ts';
import { databaseAgnostic, describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';
import { runProctor } from './support/proctor-cli.ts';
import { until } from './support/until.ts';

const IP = '127.0.0.1';

describe(`proctor doctor: TURN (${describeDatabase()})`, () => {
  let coturn: Coturn | undefined;
  let platform: TestPlatform | undefined;
  before(async function () {
    databaseAgnostic(this); // the doctor and coturn: the database only stores the test's host
    coturn = await startCoturn(IP);
  });
  after(async () => coturn?.close());
  afterEach(async () => {
    await platform?.stop();
    platform = undefined;
  });

  async function doctorWith(turn: Partial<Config>): Promise<{ code: number | null; turn: CheckResult; text: string }> {
    platform = await startTestPlatform(turn);
    const args = ['doctor', '--server', platform.url, '--data-dir', platform.env.PROCTOR_DATA_DIR!];
    const [json, text] = await Promise.all([runProctor([...args, '--json']), runProctor(args)]);
    assert.equal(json.code, text.code, 'the same exit code with and without --json');
    const result = (JSON.parse(json.stdout) as DoctorReport).checks.find((check) => check.id === 'turn');
    assert.ok(result, `a turn check in ${json.stdout}`);
    return { code: json.code, turn: result, text: text.stdout };
  }

  it('allocates a relay over UDP and TCP with the server credential, and leaves TLS URLs unprobed', async () => {
    const { code, turn, text } = await doctorWith({ turnUrls: [...coturn!.urls, `turns:${IP}:5349?transport=tcp`], turnSecret: coturn!.secret });
    assert.equal(turn.status, 'ok', `${turn.detail}\n${await coturn!.log()}`);
    const [udp, tcp] = coturn!.urls;
    assert.match(turn.detail, new RegExp(`${udp!.replace(/[?.]/g, '\\$&')} relayed 127\\.0\\.0\\.1:\\d+`));
    assert.match(turn.detail, new RegExp(`${tcp!.replace(/[?.]/g, '\\$&')} relayed 127\\.0\\.0\\.1:\\d+`));
    assert.match(turn.detail, /turns:\S+ not probed \(TLS\)/);
    assert.equal(code, 0, text);
    assert.match(text, /^✔ TURN relay /m);
    // coturn allocated for the doctor's user, and every allocation was released (two runs, two URLs each).
    const count = (log: string, pattern: RegExp) => log.match(pattern)?.length ?? 0;
    await until('coturn logging four allocations and four releases', async () => {
      const log = await coturn!.log();
      const allocated = count(log, /user <\d+:proctor-doctor>: incoming packet ALLOCATE processed, success/g);
      const released = count(log, /refreshed, realm=<[^>]*>, username=<\d+:proctor-doctor>, lifetime=0/g);
      return allocated === 4 && released === 4;
    });
  });

  it('reports a credential refused when the secret differs from coturn’s, with the remedy', async () => {
    const { code, turn, text } = await doctorWith({ turnUrls: coturn!.urls, turnSecret: 'not-the-coturn-secret-at-all' });
    assert.equal(code, 1, text);
    assert.equal(turn.status, 'fail');
    assert.match(turn.detail, /refused the credential: 401/);
    assert.match(turn.remedy!, /PROCTOR_TURN_SECRET must equal coturn's static-auth-secret/);
    assert.match(text, /^✖ TURN relay .*\n\s+→ PROCTOR_TURN_SECRET must equal/m);
  });

  it('reports a TURN URL nobody answers at, over UDP and TCP, with the remedy', async () => {
    const port = await freePort(IP); // free a moment ago: nothing listens there, TCP or UDP
    const { code, turn, text } = await doctorWith({ turnUrls: [`turn:${IP}:${port}?transport=udp`, `turn:${IP}:${port}?transport=tcp`], turnSecret: coturn!.secret });
    assert.equal(code, 1, text);
    assert.equal(turn.status, 'fail');
    assert.match(turn.detail, /transport=udp no answer within \d+ s/);
    assert.match(turn.detail, /transport=tcp unreachable \(ECONNREFUSED\)/);
    assert.match(turn.remedy!, new RegExp(`open UDP ${port} .*; open TCP ${port} `));
  });
});
