// The README's screenshots are taken by the browser tests, but only when asked:
// PROCTOR_SCREENSHOTS_DIR=docs/screenshots npx mocha test/candidate-page.test.ts test/media-pages.test.ts
// (a plain test run leaves the git tree alone).
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

/** The folder to write screenshots to, or undefined: no screenshots this run. */
export function screenshotsDir(): string | undefined {
  const dir = process.env.PROCTOR_SCREENSHOTS_DIR;
  if (!dir) return undefined;
  mkdirSync(resolve(dir), { recursive: true });
  return resolve(dir);
}
