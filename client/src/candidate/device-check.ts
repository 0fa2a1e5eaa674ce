// The device check: camera and microphone permission, a live preview, a mic
// level meter and a face-visible check with the same detector the interview uses. Resolves with
// the stream once the candidate continues.
import type { PageConfig } from '../../../contract/page-config.ts';
import { h, show } from '../dom.ts';
import { AudioMonitor } from '../proctor/audio-monitor.ts';
import { FaceMonitor } from '../proctor/face-monitor.ts';

export interface CheckedDevices {
  stream: MediaStream;
  video: HTMLVideoElement;
  faces: FaceMonitor | null;
  cameras: number;
  microphones: number;
}

const GUIDANCE: Record<string, string> = {
  NotAllowedError: 'Your browser blocked the camera or microphone. Click the camera icon in the address bar, allow both for this site, then press "Try again".',
  NotFoundError: 'No camera or microphone was found. Connect one (or enable it in your system settings), then press "Try again".',
  NotReadableError: 'Your camera or microphone is in use by another application. Close it (video calls, other tabs), then press "Try again".',
  OverconstrainedError: 'Your camera does not support the required resolution. Try another camera, then press "Try again".',
};

export async function checkDevices(config: PageConfig): Promise<CheckedDevices> {
  for (;;) {
    const status = h('p', { class: 'status' }, 'Asking for your camera and microphone…');
    show('device-check', h('section', { class: 'card' }, h('h1', {}, 'Check your camera and microphone'), status));
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
      return await preview(stream, config);
    } catch (error) {
      const name = (error as DOMException).name;
      await retryScreen(GUIDANCE[name] ?? `The camera or microphone could not be started (${(error as Error).message}).`);
    }
  }
}

function retryScreen(guidance: string): Promise<void> {
  return new Promise((resolve) =>
    show(
      'device-check',
      h(
        'section',
        { class: 'card' },
        h('h1', {}, 'Camera or microphone unavailable'),
        h('p', { class: 'message', id: 'device-problem' }, guidance),
        h('div', { class: 'actions' }, h('button', { onclick: () => resolve() }, 'Try again')),
      ),
    ),
  );
}

async function preview(stream: MediaStream, config: PageConfig): Promise<CheckedDevices> {
  const video = h('video', { class: 'preview', autoplay: true, playsinline: true });
  // The property, not the attribute (which only counts when the parser creates the element): no echo.
  video.muted = true;
  video.srcObject = stream;
  const meter = h('meter', { id: 'mic-level', min: '0', max: '1', value: '0' });
  const faceStatus = h('p', { id: 'face-status', class: 'status' }, config.models ? 'Loading the face check…' : 'Face checks are off on this server.');
  // Enabled once the face check has loaded (or failed to), so the session starts with it.
  const join = h('button', { id: 'continue', disabled: true }, 'Join the interview');
  const continued = new Promise((resolve) => join.addEventListener('click', resolve, { once: true }));
  show(
    'device-check',
    h(
      'section',
      { class: 'card device-check' },
      h('h1', {}, 'Check your camera and microphone'),
      video,
      h('label', { for: 'mic-level' }, 'Microphone level — say something: ', meter),
      faceStatus,
      h('p', { class: 'hint' }, 'Sit facing the camera in good light, alone in the picture.'),
      h('div', { class: 'actions' }, join),
    ),
  );
  await video.play().catch(() => {});
  const audio = stream.getAudioTracks().length ? new AudioMonitor(stream) : undefined;
  const meterTimer = setInterval(() => (meter.value = audio ? Math.min(1, audio.level() * 5) : 0), 100);
  let faces: FaceMonitor | null = null;
  if (config.models) {
    try {
      faces = await FaceMonitor.create(video, config);
      faces.start(({ faces: count }) => {
        faceStatus.textContent = count === 1 ? '✓ Your face is visible' : count === 0 ? '✗ No face visible — move into the picture' : '✗ More than one face visible';
        faceStatus.dataset.faces = String(count);
      });
    } catch (error) {
      faceStatus.textContent = `The face check could not start (${(error as Error).message}). You can still join.`;
    }
  }
  const devices = await navigator.mediaDevices.enumerateDevices();
  join.disabled = false;
  await continued;
  clearInterval(meterTimer);
  audio?.close();
  faces?.stop();
  return {
    stream,
    video,
    faces,
    cameras: devices.filter((d) => d.kind === 'videoinput').length,
    microphones: devices.filter((d) => d.kind === 'audioinput').length,
  };
}
