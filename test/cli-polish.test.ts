// What every command shares: help with examples, --json, shell completion, and `proctor up`'s
// progress as it shows on a real terminal (tmux).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { databaseAgnostic, describeDatabase, freshStorage } from './support/platform.ts';
import { cleanEnv, runProctor } from './support/proctor-cli.ts';
import { TmuxSession } from './support/tmux.ts';

const BIN = fileURLToPath(new URL('../cli/bin/run.js', import.meta.url));
const COMMANDS_DIR = fileURLToPath(new URL('../cli/commands/', import.meta.url));
/** Commands that print nothing a script would parse (starting the server is covered by its own tests). */
const WITHOUT_JSON = new Set<string>();

async function commandIds(): Promise<string[]> {
  const files = await readdir(COMMANDS_DIR, { recursive: true });
  return (
    files
      .filter((file) => file.endsWith('.ts'))
      // A topic's own command (review/index.ts) is the topic's name: `proctor review`.
      .map((file) =>
        relative('.', file)
          .replace(/(\/index)?\.ts$/, '')
          .split('/')
          .join(' '),
      )
      .sort()
  );
}

describe('proctor CLI conventions', function () {
  this.timeout(120_000);
  let scratch: string;

  before(async function () {
    databaseAgnostic(this); // help, --json flags and completion: no server, no database
    scratch = await mkdtemp(join(tmpdir(), 'proctor-cli-polish-'));
  });
  after(async () => scratch && rm(scratch, { recursive: true, force: true }));

  it('gives every command examples in --help and a --json flag', async () => {
    const ids = await commandIds();
    assert.ok(ids.includes('watch') && ids.includes('interviews list'), ids.join(', '));
    // Two at a time: each is a Node process starting oclif.
    for (let i = 0; i < ids.length; i += 2) {
      await Promise.all(
        ids.slice(i, i + 2).map(async (id) => {
          const help = await runProctor([...id.split(' '), '--help'], { PROCTOR_CONFIG_DIR: scratch });
          assert.equal(help.code, 0, `${id}: ${help.stderr}`);
          assert.match(help.stdout, new RegExp(`EXAMPLES\\n {2}\\$ proctor ${id}`), `${id} --help has examples`);
          if (!WITHOUT_JSON.has(id)) assert.match(help.stdout, /--json\s+Format output as json/, `${id} takes --json`);
        }),
      );
    }
  });

  it('completes commands and flags in bash (oclif autocomplete plugin)', async () => {
    const env = { PROCTOR_CONFIG_DIR: scratch, XDG_CACHE_HOME: join(scratch, 'cache') };
    const setup = await runProctor(['autocomplete', 'bash'], env);
    assert.equal(setup.code, 0, setup.stderr);
    const functions = join(scratch, 'cache', 'proctor', 'autocomplete', 'functions', 'bash', 'proctor.bash');
    const complete = async (...words: string[]) => {
      const script = `source ${functions}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _proctor_autocomplete; echo "\${COMPREPLY[@]}"`;
      const { stdout } = await promisify(execFile)('bash', ['-c', script]);
      return stdout.trim().split(/\s+/);
    };
    assert.ok((await complete('proctor', 'wa')).includes('watch'));
    assert.deepEqual(
      (await complete('proctor', 'interviews', 'l')).filter((w) => w.startsWith('l')),
      ['list'],
    );
    assert.ok((await complete('proctor', 'interviews', 'list', '--st')).includes('--status'));
  });
});

describe(`proctor up on a terminal (${describeDatabase()})`, function () {
  this.timeout(120_000);

  it('shows each start-up step with a spinner, then a tick and its time, then the URL; Ctrl-C stops it', async () => {
    const storage = await freshStorage({ blank: true });
    const tmux = await TmuxSession.start(
      [process.execPath, BIN, 'up', '--port', '0'],
      cleanEnv({ ...storage.env, PROCTOR_CONFIG_DIR: join(storage.env.PROCTOR_DATA_DIR!, 'cli'), TERM: 'xterm-256color', LANG: 'C.UTF-8' }),
      { width: 100, height: 20 },
    );
    try {
      const screen = await tmux.waitFor(/Proctor is up at http:\/\/127\.0\.0\.1:\d+/, 60_000);
      assert.match(screen, /✔ (embedded PostgreSQL|PostgreSQL server) {2}\S+ \(\d+\.\d s\)/);
      assert.match(screen, /✔ migrations {2}applied [^]+? \(\d+\.\d s\)/);
      assert.match(screen, /✔ HTTP server {2}http:\S+ \(\d+\.\d s\)/);
      assert.doesNotMatch(screen, /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/, 'no spinner left behind');
      await tmux.sendKeys('C-c');
      assert.equal(await tmux.waitForEnd(30_000), 0);
    } finally {
      await tmux.kill();
      await storage.drop();
    }
  });
});
