// The host room (/h/<interviewId>#<room link token>): the candidate's video large (and sound),
// the host's own camera small (published to the candidate), the live alert feed beside it, and a
// ping box. The link's short-lived token is exchanged once for a
// host login kept in this tab only.
import type { InterviewStatus } from '../../../contract/interview.ts';
import type { CandidateJoined, CandidateLeft, InterviewStatusChanged, LiveAlert } from '../../../contract/live-events.ts';
import { ApiError, LiveConnection, graphql } from '../api.ts';
import { h, show, toast } from '../dom.ts';
import { showError } from '../candidate/error-page.ts';
import { joinRoomMedia } from './room-media.ts';

const ENTER = 'mutation($token: String!) { enterRoom(token: $token) { token } }';
const INTERVIEW = `query($id: ID!) { interview(id: $id) { id title status candidates(first: 50) { edges { node { id name } } } } }`;
const EVENTS = `subscription($id: ID!) { interviewEvents(interviewId: $id) {
  __typename
  ... on CandidateJoined { candidateId name resumed at }
  ... on CandidateLeft { candidateId at }
  ... on LiveAlert { violationId candidateId type severity message count occurredAt }
  ... on InterviewStatusChanged { status at }
} }`;
const PING = 'mutation($candidateId: ID!, $message: String!) { pingCandidate(candidateId: $candidateId, message: $message) { delivered } }';

interface RoomInterview {
  id: string;
  title: string;
  status: InterviewStatus;
  candidates: { edges: { node: { id: string; name: string } }[] };
}

/** The fields EVENTS selects of each event the room shows. */
type RoomEvent =
  | Pick<CandidateJoined, '__typename' | 'candidateId' | 'name' | 'resumed' | 'at'>
  | Pick<CandidateLeft, '__typename' | 'candidateId' | 'at'>
  | Pick<LiveAlert, '__typename' | 'violationId' | 'candidateId' | 'type' | 'severity' | 'message' | 'count' | 'occurredAt'>
  | InterviewStatusChanged;

export async function runRoom(interviewId: string): Promise<void> {
  const storageKey = `proctor.room.${interviewId}`;
  const linkToken = location.hash.slice(1);
  history.replaceState(null, '', location.pathname);
  let token = sessionStorage.getItem(storageKey);
  let interview: RoomInterview;
  try {
    if (linkToken) {
      token = (await graphql<{ enterRoom: { token: string } }>(ENTER, { token: linkToken })).enterRoom.token;
      sessionStorage.setItem(storageKey, token);
    }
    if (!token) throw new ApiError('Open the room with a fresh link: run `proctor room <interview>` in your terminal.', 'UNAUTHENTICATED');
    interview = (await graphql<{ interview: RoomInterview }>(INTERVIEW, { id: interviewId }, token)).interview;
  } catch (error) {
    showError('The room cannot be opened', (error as Error).message, 'Room links are short-lived: run `proctor room <interview>` again for a new one.');
    return;
  }

  const names = new Map(interview.candidates.edges.map(({ node }) => [node.id, node.name]));
  const feed = h('ol', { id: 'alerts', class: 'feed', 'aria-live': 'polite' });
  const status = h('span', { id: 'status', class: 'badge' }, interview.status);
  const video = h('video', { id: 'candidate-video', class: 'candidate-video', autoplay: true, playsinline: true });
  const waiting = h('p', { class: 'waiting' }, waitingText(interview.status));
  const self = h('video', { id: 'host-self', class: 'host-self', autoplay: true, playsinline: true, muted: true, hidden: true });
  const recipient = h('select', { id: 'recipient' }, ...[...names].map(([id, name]) => h('option', { value: id }, name)));
  const message = h('input', { id: 'ping-text', maxlength: '500', placeholder: 'Message to the candidate' });
  const send = async (event: Event) => {
    event.preventDefault();
    if (!message.value.trim() || !recipient.value) return;
    try {
      const { pingCandidate } = await live.request<{ pingCandidate: { delivered: boolean } }>(PING, { candidateId: recipient.value, message: message.value });
      toast(pingCandidate.delivered ? 'Sent' : 'Sent, but the candidate page is not open right now');
      message.value = '';
    } catch (error) {
      toast((error as Error).message, 'warning');
    }
  };
  show(
    'room',
    h(
      'section',
      { class: 'room' },
      h('header', {}, h('h1', {}, interview.title), status),
      h('div', { class: 'stage' }, h('div', { class: 'screen' }, video, waiting), h('aside', {}, self, h('h2', {}, 'Live alerts'), feed)),
      h('form', { class: 'ping', onsubmit: (e: Event) => void send(e) }, recipient, message, h('button', { type: 'submit' }, 'Ping')),
    ),
  );

  // Ending the interview also ends this room's login: after the end, the refusal is expected.
  let ended = false;
  const live = new LiveConnection({ token, onRefused: (reason) => ended || showError('You were signed out of the room', reason) });
  const alerts = new Map<string, HTMLLIElement>();
  live.subscribe<{ interviewEvents: RoomEvent }>(EVENTS, { id: interviewId }, ({ interviewEvents: event }) => {
    const line = describe(event, names);
    if (event.__typename === 'CandidateJoined') names.set(event.candidateId, event.name);
    if (event.__typename === 'InterviewStatusChanged') {
      status.textContent = event.status;
      waiting.textContent = waitingText(event.status);
      if (event.status === 'COMPLETED' || event.status === 'ARCHIVED') endRoom();
    }
    // A LiveAlert update (same violation, higher count) replaces its line.
    const key = event.__typename === 'LiveAlert' ? event.violationId : undefined;
    const item = (key && alerts.get(key)) || h('li', {});
    item.className = event.__typename === 'LiveAlert' ? `alert ${event.severity.toLowerCase()}` : 'info';
    item.dataset.type = event.__typename === 'LiveAlert' ? event.type : event.__typename;
    item.textContent = line;
    if (key) alerts.set(key, item);
    feed.prepend(item);
  });
  const showCandidateVideo = (showing: boolean) => {
    waiting.hidden = showing;
    document.body.dataset.candidateVideo = showing ? 'yes' : 'no';
  };
  const leave = joinRoomMedia(live, interviewId, { candidate: video, self, onCandidateVideo: showCandidateVideo });
  window.addEventListener('pagehide', leave, { once: true });
  function endRoom() {
    if (ended) return;
    ended = true;
    leave();
    video.srcObject = null;
    showCandidateVideo(false);
  }
}

/** What the empty video area says. */
function waitingText(status: InterviewStatus): string {
  if (status === 'LIVE') return "Waiting for the candidate's camera…";
  return status === 'SCHEDULED' ? 'The video starts when the interview is live.' : 'The interview is over.';
}

function describe(event: RoomEvent, names: Map<string, string>): string {
  const time = (iso: string) => new Date(iso).toLocaleTimeString();
  switch (event.__typename) {
    case 'CandidateJoined':
      return `${time(event.at)} ${event.name} ${event.resumed ? 'reconnected' : 'joined'}`;
    case 'CandidateLeft':
      return `${time(event.at)} ${names.get(event.candidateId) ?? 'Candidate'} left`;
    case 'LiveAlert':
      return `${time(event.occurredAt)} [${event.severity}] ${names.get(event.candidateId) ?? 'Candidate'}: ${event.message}`;
    case 'InterviewStatusChanged':
      return `${time(event.at)} Interview is ${event.status}`;
  }
}
