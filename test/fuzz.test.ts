// The fuzz suite, short: a fixed seed's first cases (operations generated from the SDL with
// hostile values, over HTTP and graphql-ws, as four principals), judged like `npm run fuzz`
// judges them: no unexpected code or 5xx, no victim data, the server healthy throughout.
import assert from 'node:assert/strict';
import { FUZZ_PLATFORM, runCampaign } from './fuzz/campaign.ts';
import { describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';

/** Fixed, so a failure here replays with `npm run fuzz -- --seed 20261202 --only <case>`. */
const SEED = 20261202;
const CASES = 400;

describe(`GraphQL fuzzing (${describeDatabase()})`, () => {
  let server: TestPlatform;

  before(async () => {
    server = await startTestPlatform(FUZZ_PLATFORM);
  });
  after(async () => server?.stop());

  it(`answers ${CASES} generated hostile cases with documented codes only, leaking nothing of another org`, async () => {
    const { summary, rootFields } = await runCampaign({ url: server.url, services: server.platform.services }, { seed: SEED, cases: CASES });
    assert.equal(summary.cases, CASES);
    assert.ok(summary.fieldsCovered >= rootFields * 0.9, `covered ${summary.fieldsCovered} of ${rootFields} root fields`);
    assert.deepEqual(summary.failures, [], summary.format(rootFields));
  });
});
