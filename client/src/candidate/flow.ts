// The candidate's way through /i/<token>: link check → consent → device check → join → live
// session → end screen. Each step is its own module; this one only sequences them.
import { ACCOMMODATIONS_SELECTION, type Accommodations } from '../../../contract/accommodations.ts';
import { INTERVIEW_RULES_SELECTION, type InterviewRules, type InterviewStatus } from '../../../contract/interview.ts';
import type { CandidateMessageKind } from '../../../contract/live-events.ts';
import type { PageConfig } from '../../../contract/page-config.ts';
import { ApiError, LiveConnection, graphql, loadPageConfig } from '../api.ts';
import { h, show, toast } from '../dom.ts';
import { ProctorEngine } from '../proctor/engine.ts';
import { askConsent } from './consent.ts';
import { checkDevices, type CheckedDevices } from './device-check.ts';
import { showError } from './error-page.ts';
import { LiveLink } from './live-link.ts';
import { askScreen } from './screen-share.ts';
import { publishSessionMedia, type SessionMedia } from './session-media.ts';

const RULES = `rules ${INTERVIEW_RULES_SELECTION}`;
const SESSION = `query($token: String!) { candidateSession(token: $token) { candidate { name } interview { id title status } ${RULES} accommodations ${ACCOMMODATIONS_SELECTION} } }`;
const CONSENT = 'mutation($agreed: Boolean!) { recordConsent(agreed: $agreed) { agreed } }';
const JOIN = `mutation($device: DeviceInput!) { joinSession(device: $device) { id startedAt resumed interview { id status } ${RULES} } }`;
const MESSAGES = 'subscription { candidateMessages { kind message } }';
const STATUS = 'subscription { interviewStatus }';

interface CandidateSession {
  candidate: { name: string };
  interview: { id: string; title: string; status: InterviewStatus };
  rules: InterviewRules;
  accommodations: Accommodations;
}

interface Joined {
  id: string;
  startedAt: string;
  resumed: boolean;
  interview: { id: string; status: InterviewStatus };
  rules: InterviewRules;
}

export async function runCandidate(token: string): Promise<void> {
  let session: CandidateSession;
  let config: PageConfig;
  try {
    [session, config] = await Promise.all([graphql<{ candidateSession: CandidateSession }>(SESSION, { token }).then((d) => d.candidateSession), loadPageConfig()]);
  } catch (error) {
    showLinkError(error);
    return;
  }
  // Remembered for this tab (a reload does not ask again), keyed by the link's tail.
  const consentKey = `proctor.consent.${token.slice(-16)}`;
  if (sessionStorage.getItem(consentKey) !== 'yes') {
    performance.mark('proctor:consent-shown');
    const agreed = await askConsent({
      candidateName: session.candidate.name,
      interviewTitle: session.interview.title,
      rules: session.rules,
      accommodations: session.accommodations,
      faceChecks: Boolean(config.models),
      transcription: config.transcription,
    });
    try {
      await graphql(CONSENT, { agreed }, token);
    } catch (error) {
      showLinkError(error);
      return;
    }
    if (!agreed) {
      show(
        'left',
        h(
          'section',
          { class: 'card' },
          h('h1', {}, 'You left'),
          h('p', {}, 'Nothing was monitored or recorded. You can close this page; the link stays valid if you change your mind.'),
        ),
      );
      return;
    }
    sessionStorage.setItem(consentKey, 'yes');
  }
  performance.mark('proctor:device-check');
  const devices = await checkDevices(config);
  const { screenShare } = session.rules;
  const screenStream = screenShare === 'OFF' ? undefined : await askScreen(screenShare);
  if (session.rules.requireFullscreen) await document.documentElement.requestFullscreen().catch(() => {});
  await joinAndRun(token, devices, session, screenStream);
}

async function joinAndRun(token: string, devices: CheckedDevices, session: CandidateSession, screenStream: MediaStream | undefined): Promise<void> {
  const indicator = h('span', { id: 'proctoring', class: 'indicator' }, '● Proctoring on');
  const connection = h('span', { id: 'connection', class: 'connection' }, 'connecting…');
  let engine: ProctorEngine | undefined;
  let media: SessionMedia | undefined;
  let ended = false;
  const end = (reason: string) => {
    if (ended) return;
    ended = true;
    engine?.close();
    media?.close();
    devices.faces?.close();
    for (const track of [...devices.stream.getTracks(), ...(screenStream?.getTracks() ?? [])]) track.stop();
    live.close();
    show('ended', h('section', { class: 'card' }, h('h1', {}, 'The interview has ended'), h('p', {}, reason), h('p', { class: 'hint' }, 'You can close this page.')));
  };
  const live = new LiveConnection({
    token,
    onDisconnected: () => (connection.textContent = 'reconnecting…'),
    onReconnected: () => {
      connection.textContent = 'connected';
      // The server may have restarted: join again (it resumes the open session), then deliver.
      void join().then(() => engine?.resume());
    },
    onRefused: (reason) => end(reason || 'Your link is no longer valid.'),
  });
  const device = {
    userAgent: navigator.userAgent.slice(0, 512),
    screen: { width: screen.width, height: screen.height, pixelRatio: devicePixelRatio },
    cameras: devices.cameras,
    microphones: devices.microphones,
  };
  const join = () => live.request<{ joinSession: Joined }>(JOIN, { device }).then((d) => d.joinSession);

  let joined: Joined;
  try {
    joined = await join();
  } catch (error) {
    live.close();
    showLinkError(error);
    return;
  }
  connection.textContent = 'connected';
  live.subscribe<{ candidateMessages: { kind: CandidateMessageKind; message: string } }>(MESSAGES, {}, ({ candidateMessages: m }) =>
    toast(m.message, m.kind === 'WARNING' ? 'warning' : 'info'),
  );
  live.subscribe<{ interviewStatus: InterviewStatus }>(STATUS, {}, ({ interviewStatus }) => {
    if (interviewStatus === 'COMPLETED' || interviewStatus === 'ARCHIVED') end('The host ended the interview. Thank you!');
  });

  devices.video.classList.add('self-view');
  const hint = h('p', { class: 'hint' }, joined.interview.status === 'LIVE' ? 'You are in the interview.' : 'You are in. The interview starts when the host starts it.');
  const hostView = h('video', { class: 'host-view', autoplay: true, playsinline: true, hidden: true });
  show(
    'joined',
    h(
      'section',
      { class: 'session' },
      h('header', {}, h('h1', {}, session.interview.title), indicator, connection),
      devices.video,
      hostView,
      hint,
      h('label', { for: 'notes' }, 'Notes'),
      h('textarea', { id: 'notes', rows: '8', placeholder: 'Your own notes for this interview' }),
    ),
  );
  await devices.video.play().catch(() => {});
  engine = new ProctorEngine({
    session: { id: joined.id, startedAt: Date.parse(joined.startedAt) },
    rules: joined.rules,
    link: new LiveLink(live, token),
    stream: devices.stream,
    faces: devices.faces,
  });
  // Marks for bench/client.ts: open → joined → publishing.
  performance.mark('proctor:joined');
  document.body.dataset.session = joined.id;
  document.body.dataset.media = 'waiting';
  media = publishSessionMedia(live, devices.stream, hostView, screenStream);
  window.addEventListener('pagehide', () => media?.close(), { once: true });
  media.publishing.then(
    () => {
      performance.mark('proctor:publishing');
      document.body.dataset.media = 'publishing';
      hint.textContent = 'You are in the interview.';
    },
    (error: Error) => toast(`Your camera could not be sent to the interview: ${error.message}`, 'warning'),
  );
}

function showLinkError(error: unknown): void {
  if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
    showError('This interview link cannot be used', error.message);
  } else {
    showError('Something went wrong', (error as Error).message, 'Reload the page to try again.');
  }
}
