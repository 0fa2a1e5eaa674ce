// `npm run test:stress`: the suite on a busy machine. A child process spins on one core for the
// whole run (these machines have two), so a test that holds only on a quiet machine fails here
// first. The spinner is stopped whatever happens (the suite fails, this script is interrupted),
// and the wall time is printed. Arguments go to mocha: `npm run test:stress -- test/sfu.test.ts`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { constants } from 'node:os';

const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
const stopHog = () => {
  if (hog.exitCode === null && hog.signalCode === null) hog.kill('SIGKILL');
};
process.on('exit', stopHog);

const started = performance.now();
const suite = spawn('npm', ['test', '--', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    suite.kill(signal);
    stopHog();
    process.exit(128 + constants.signals[signal]);
  });
}
const [code] = (await once(suite, 'exit')) as [number | null];
stopHog();
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(`\ntest:stress: npm test ${code === 0 ? 'passed' : `failed (exit ${code})`} in ${seconds} s of wall time, one core kept busy throughout`);
process.exit(code ?? 1);
