// The candidate page when things are missing: a server with face checks turned off (and no face
// models), and a browser that blocks or lacks the camera.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { liveInterview } from './support/candidate-page.ts';
import { ensureClientBuilt } from './support/client-build.ts';
import { databaseAgnostic, describeDatabase, startTestPlatform, type TestPlatform } from './support/platform.ts';

describe(`candidate page without models or devices (${describeDatabase()})`, function () {
  this.timeout(60_000);
  let server: TestPlatform;
  let browser: TestBrowser;
  let emptyDir: string;

  before(async function () {
    databaseAgnostic(this); // the page in Chromium without models or devices
    await ensureClientBuilt();
    emptyDir = await mkdtemp(join(tmpdir(), 'proctor-no-models-'));
    server = await startTestPlatform({ faceChecks: false, faceModelsDir: emptyDir });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (emptyDir) await rm(emptyDir, { recursive: true, force: true });
  });

  it('runs without face checks when they are turned off (no models needed), and says so', async () => {
    const config = await (await fetch(`${server.url}/app-config.json`)).json();
    assert.equal(config.models, null);
    const missing = await fetch(`${server.url}/models/face_detector.tflite`);
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).errors[0].message, /PROCTOR_FACE_MODELS_DIR/);
    assert.equal((await fetch(`${server.url}/mediapipe/wasm/vision_wasm_internal.wasm`, { method: 'HEAD' })).status, 200, 'the wasm is still served');

    const fixture = await liveInterview(server.url, { audioPolicy: 'IGNORE', requireFullscreen: true, allowCopyPaste: true });
    const page = await browser.context.newPage();
    await page.goto(fixture.link);
    await page.waitForSelector('#agree');
    const consent = (await page.textContent('.consent')) ?? '';
    assert.doesNotMatch(consent, /camera image/, 'no face checks promised');
    assert.match(consent, /Leaving fullscreen/);
    assert.match(consent, /Copy and paste are allowed/);
    assert.doesNotMatch(consent, /microphone: whether someone is speaking/);
    await page.click('#agree');
    await page.waitForSelector('#continue:not([disabled])');
    assert.match((await page.textContent('#face-status')) ?? '', /Face checks are off/);
    await page.click('#continue');
    await page.waitForSelector('body[data-session]');
    await page.close();
  });

  it('explains a blocked camera and a missing one, and tries again', async () => {
    const fixture = await liveInterview(server.url);
    const page = await browser.context.newPage();
    await page.addInitScript(() => {
      const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      const failures = ['NotAllowedError', 'NotFoundError'];
      navigator.mediaDevices.getUserMedia = (constraints) => {
        const name = failures.shift();
        return name ? Promise.reject(new DOMException('refused', name)) : real(constraints);
      };
    });
    await page.goto(fixture.link);
    await page.click('#agree');
    await page.waitForSelector('#device-problem');
    assert.match((await page.textContent('#device-problem')) ?? '', /blocked the camera or microphone.*allow both/);
    await page.click('button:has-text("Try again")');
    await page.waitForFunction(() => /No camera or microphone was found/.test(document.getElementById('device-problem')?.textContent ?? ''));
    await page.click('button:has-text("Try again")');
    await page.waitForSelector('#continue:not([disabled])');
    await page.close();
  });
});
