// Start-up, configuration, restart and shutdown of the whole platform, and the committed SDL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { text as readText } from 'node:stream/consumers';
import pg from 'pg';
import { ConfigError, loadConfig, SETTINGS } from '../server/config.ts';
import { migrations } from '../server/db/migrations/index.ts';
import { Platform } from '../server/platform.ts';
import { printedSchema } from '../schema/index.ts';
import { GraphQLClient, signUp } from './support/graphql.ts';
import { describeDatabase, freshStorage } from './support/platform.ts';

describe('configuration', () => {
  it('uses documented defaults', () => {
    const config = loadConfig({ PROCTOR_DATA_DIR: '/tmp/x' });
    assert.equal(config.port, 4000);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.joinTokenLeadMs, 48 * 3_600_000);
    assert.equal(config.bodyLimitBytes, 1024 * 1024);
  });

  it('parses durations, sizes and URLs', () => {
    const config = loadConfig({ PROCTOR_JOIN_TOKEN_LEAD: '2h', PROCTOR_BODY_LIMIT: '512kb', PROCTOR_DATABASE_URL: 'postgres://db/proctor' });
    assert.equal(config.joinTokenLeadMs, 7_200_000);
    assert.equal(config.bodyLimitBytes, 512 * 1024);
    assert.equal(config.databaseUrl, 'postgres://db/proctor');
  });

  it('refuses unknown and malformed settings, listing every problem with a hint', () => {
    assert.throws(
      () => loadConfig({ PROCTOR_PROT: '4000', PROCTOR_PORT: 'eighty', PROCTOR_DATABASE_URL: 'mysql://x', PROCTOR_HOST_TOKEN_TTL: 'soon' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.deepEqual(error.problems, [
          'PROCTOR_PROT is not a Proctor setting (did you mean PROCTOR_PORT?)',
          'PROCTOR_PORT: expected a whole number, got "eighty"',
          'PROCTOR_DATABASE_URL: expected a postgres: or postgresql: URL, got "mysql:"',
          'PROCTOR_HOST_TOKEN_TTL: expected a duration like 30s, 15m, 48h or 7d, got "soon"',
        ]);
        return true;
      },
    );
  });

  it('documents every setting in the README', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    for (const { env } of SETTINGS) assert.ok(readme.includes(`| \`${env}\` |`), `${env} is missing from the README's table`);
  });

  it('lets explicit overrides (CLI flags) win over the environment', () => {
    assert.equal(loadConfig({ PROCTOR_PORT: '5000' }, { port: 6000 }).port, 6000);
  });
});

describe('schema/schema.graphql', () => {
  it('is the SDL the code prints (run `npm run schema:print` after changing the schema)', async () => {
    const committed = await readFile(new URL('../schema/schema.graphql', import.meta.url), 'utf8');
    assert.equal(committed, printedSchema());
  });
});

describe(`platform lifecycle (${describeDatabase()})`, () => {
  it('keeps data, the signing key and logins across a restart, with migrations applied once', async () => {
    const storage = await freshStorage({ blank: true });
    try {
      const config = loadConfig(storage.env, { port: 0 });
      const first = await Platform.create(config);
      const { client, email } = await signUp(new GraphQLClient(first.url));
      await first.close();

      const second = await Platform.create(config);
      try {
        // Same data dir: the org, the host and the generated signing key are all still there.
        const again = await new GraphQLClient(second.url, client.token).ok('{ me { host { email } } }');
        assert.equal(again.me.host.email, email);
        assert.equal((await second.orm.migrator.getExecuted()).length, migrations.length);
        assert.deepEqual(await second.orm.migrator.getPending(), []);
      } finally {
        await second.close();
      }
    } finally {
      await storage.drop();
    }
  });

  it('finishes an in-flight request before shutting down, and refuses new ones after', async () => {
    const storage = await freshStorage();
    try {
      const platform = await Platform.create(loadConfig(storage.env, { port: 0 }));
      const url = new URL(platform.url);
      // A request whose body is still arriving is in flight for as long as we like. Its
      // `Expect: 100-continue` makes the server answer "100 Continue" as it takes the request,
      // which tells the test the server has started it.
      const body = JSON.stringify({ query: '{ __typename }' });
      const request = httpRequest({
        host: url.hostname,
        port: url.port,
        path: '/graphql',
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': body.length, expect: '100-continue' },
      });
      const response = new Promise<{ status: number; text: string }>((resolve, reject) => {
        request.on('response', (res) => {
          readText(res).then((text) => resolve({ status: res.statusCode ?? 0, text }), reject);
        });
        request.on('error', reject);
      });
      const started = once(request, 'continue');
      request.write(body.slice(0, 5));
      await started;
      const closing = platform.close();
      request.end(body.slice(5));
      assert.deepEqual(await response, { status: 200, text: '{"data":{"__typename":"Query"}}' });
      await closing;
      await assert.rejects(fetch(`${platform.url}/healthz`));
    } finally {
      await storage.drop();
    }
  });
});

describe(`a start-up that fails halfway (${describeDatabase()})`, () => {
  // Starts the platform in a process of its own that never calls process.exit: it ends only once
  // nothing the failed start-up opened (database pools, the embedded database, media workers) is left.
  const START = `
    import { loadConfig } from ${JSON.stringify(new URL('../server/config.ts', import.meta.url).href)};
    import { Platform } from ${JSON.stringify(new URL('../server/platform.ts', import.meta.url).href)};
    const done = [];
    try {
      await Platform.create(loadConfig(process.env, { port: 0 }), { onStep: (step, phase) => phase === 'done' && done.push(step) });
      console.error('started');
    } catch (error) {
      console.error(\`failed after \${done.join(',')}: \${error.message}\`);
      process.exitCode = 1;
    }`;

  it('closes what it had opened, so the process exits by itself', async () => {
    const storage = await freshStorage();
    // A folder where the generated signing key belongs: reading it fails once the database is
    // open and migrated and the media workers run.
    await mkdir(join(storage.env.PROCTOR_DATA_DIR!, 'jwt-secret'));
    // A file rather than --eval: the embedded database's worker thread inherits the process's flags.
    const script = join(storage.env.PROCTOR_DATA_DIR!, 'start.mjs');
    await writeFile(script, START);
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...storage.env }, stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      const [code] = (await once(child, 'close')) as [number | null];
      assert.match(stderr, /failed after database,migrations,sfu: EISDIR/);
      assert.equal(code, 1);
    } finally {
      child.kill('SIGKILL');
      await storage.drop();
    }
  });
});

describe('read replica (PROCTOR_DATABASE_READ_URL)', () => {
  it('serves the dashboard list from the replica and everything else from the primary', async function () {
    if (!process.env.PROCTOR_TEST_DATABASE_URL) {
      console.log('      (skipped: needs PROCTOR_TEST_DATABASE_URL; the embedded database has no replica)');
      this.skip();
    }
    // Two separate databases stand in for primary and replica; a row only the "replica" holds
    // shows which one answered.
    const primary = await freshStorage();
    const replica = await freshStorage();
    try {
      await (await Platform.create(loadConfig(replica.env, { port: 0 }))).close(); // migrate it
      const env = { ...primary.env, PROCTOR_DATABASE_READ_URL: replica.env.PROCTOR_DATABASE_URL! };
      const platform = await Platform.create(loadConfig(env, { port: 0 }));
      try {
        const { client, hostId } = await signUp(new GraphQLClient(platform.url));
        const onPrimary = (await client.ok('mutation { createInterview(input: { title: "on the primary" }) { interview { id } } }')).createInterview.interview.id;
        const [host] = await platform.orm.em.getConnection().execute<{ org_id: string }[]>('select org_id from hosts where id = ?', [hostId]);
        const orgId = host!.org_id;
        const replicaOnly = crypto.randomUUID();
        const replicaDb = new pg.Client({ connectionString: replica.env.PROCTOR_DATABASE_URL });
        await replicaDb.connect();
        try {
          await replicaDb.query(`insert into orgs (id, name, created_at) values ($1, 'Acme', now())`, [orgId]);
          await replicaDb.query(`insert into hosts (id, org_id, email, password_hash, created_at) values ($1, $2, 'r@example.com', 'x', now())`, [hostId, orgId]);
          await replicaDb.query(`insert into interviews (id, org_id, host_id, title, status, config, created_at) values ($1, $2, $3, 'replica only', 'SCHEDULED', '{}', now())`, [
            replicaOnly,
            orgId,
            hostId,
          ]);
        } finally {
          await replicaDb.end();
        }
        const listed = await client.ok('{ interviews { edges { node { id title } } } }');
        assert.deepEqual(listed.interviews.edges, [{ node: { id: replicaOnly, title: 'replica only' } }], 'the list reads the replica');
        assert.equal((await client.ok('query($id: ID!) { interview(id: $id) { title } }', { id: onPrimary })).interview.title, 'on the primary');
        assert.equal((await client.error('query($id: ID!) { interview(id: $id) { id } }', { id: replicaOnly })).code, 'NOT_FOUND', 'single reads use the primary');
      } finally {
        await platform.close();
      }
    } finally {
      await primary.drop();
      await replica.drop();
    }
  });
});
