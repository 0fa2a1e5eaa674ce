// Headless Chromium for the browser tests: Debian's `chromium`, driven by playwright-core, with a
// fake camera and microphone. Each browser gets a fresh profile dir that is removed on close.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.PROCTOR_TEST_CHROMIUM ?? '/usr/bin/chromium';

export interface BrowserOptions {
  /** A .y4m (video) file the fake camera plays in a loop; Chromium's test pattern otherwise. */
  fakeVideo?: string;
  /** A .wav file the fake microphone plays; Chromium's beep otherwise. */
  fakeAudio?: string;
  /** More command-line switches (a test name's address, a test certificate to trust). */
  extraArgs?: string[];
}

export interface TestBrowser {
  context: BrowserContext;
  /** The profile dir: its path is on the browser process's command line (bench CPU accounting). */
  profileDir: string;
  close(): Promise<void>;
}

export async function launchBrowser(options: BrowserOptions = {}): Promise<TestBrowser> {
  const profileDir = await mkdtemp(join(tmpdir(), 'proctor-chromium-'));
  const args = [
    '--no-sandbox',
    '--disable-gpu',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    // Background tabs must keep running their timers and media while a test drives another tab.
    '--disable-background-timer-throttling',
    '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows',
    '--autoplay-policy=no-user-gesture-required',
  ];
  if (options.fakeVideo) args.push(`--use-file-for-fake-video-capture=${options.fakeVideo}`);
  if (options.fakeAudio) args.push(`--use-file-for-fake-audio-capture=${options.fakeAudio}`);
  args.push(...(options.extraArgs ?? []));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args,
  });
  return {
    context,
    profileDir,
    async close() {
      await context.close().catch(() => {});
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}
