// The dashboard's pieces, rendered by Ink into a string (ink-testing-library) and driven with
// keystrokes; the state functions on their own. The live feed is a plain listener list here;
// test/watch.test.ts runs the real command against a real server.
import assert from 'node:assert/strict';
import { mock } from 'node:test';
import React from 'react';
import { render } from 'ink-testing-library';
import type { InterviewEvent, LiveAlert } from '../contract/live-events.ts';
import type { InterviewHistory } from '../cli/live/wire.ts';
import { BURST_INTERVAL_MS, Dashboard, type DashboardActions, type DashboardUpdate } from '../cli/tui/dashboard.ts';
import { applyEvent, countsByType, dashboardFromHistory, filterAlerts, type CandidateView } from '../cli/tui/dashboard-state.ts';
import { sparkline } from '../cli/tui/format.ts';
import { InterviewPicker, type PickableInterview } from '../cli/tui/interview-picker.ts';

const h = React.createElement;
const CANDIDATE = 'c0000000-0000-4000-8000-000000000001';

/**
 * One turn of the event loop: React runs the effects of a render, such as the input handler of a
 * prompt just shown, on the next turn (the wait Ink's own waitUntilRenderFlush() makes).
 */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Waits turn by turn of the event loop until `condition` holds: what a key or an update causes is
 * drawn within a few turns (an action's result once its promise settles), not at once. The bound
 * is a hang guard; the caller asserts.
 */
async function turnsUntil(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!condition() && performance.now() < deadline) await nextTurn();
}

/** The last frame, once it matches `pattern`. */
async function frameShowing(app: ReturnType<typeof render>, pattern: RegExp, message?: string): Promise<string> {
  await turnsUntil(() => pattern.test(app.lastFrame() ?? ''));
  const frame = app.lastFrame() ?? '';
  if (message === undefined) assert.match(frame, pattern);
  else assert.match(frame, pattern, message);
  return frame;
}

function history(violations: InterviewHistory['candidates']['edges'][number]['node']['sessions'][number]['violations']['edges'] = []): InterviewHistory {
  const now = new Date().toISOString();
  return {
    id: 'i0000000-0000-4000-8000-000000000001',
    title: 'Senior backend engineer',
    status: 'LIVE',
    scheduledAt: null,
    startedAt: now,
    endedAt: null,
    candidates: {
      edges: [
        { node: { id: CANDIDATE, name: 'Ada Lovelace', sessions: [{ id: 's1', startedAt: now, endedAt: null, lastHeartbeatAt: now, violations: { edges: violations } }] } },
      ],
    },
  };
}

function alert(violationId: string, type: LiveAlert['type'], severity: LiveAlert['severity'], count = 1, message = `${type} happened`): LiveAlert {
  return { __typename: 'LiveAlert', violationId, candidateId: CANDIDATE, type, severity, message, occurredAt: new Date().toISOString(), count, durationMs: 1000 };
}

/** A dashboard with a hand-fed event source and recorded actions, once it listens to the source. */
async function renderDashboard(initialHistory = history()) {
  const listeners = new Set<(update: DashboardUpdate) => void>();
  const calls: string[] = [];
  const actions: DashboardActions = {
    ping: async (candidate: CandidateView, message: string) => {
      calls.push(`ping ${candidate.name}: ${message}`);
      return `Ping shown to ${candidate.name}`;
    },
    start: async () => {
      calls.push('start');
      throw new Error('The interview is already LIVE');
    },
    end: async () => {
      calls.push('end');
      return 'Interview ended (COMPLETED)';
    },
    report: async () => {
      calls.push('report');
      return 'No report yet';
    },
  };
  const app = render(
    h(Dashboard, {
      initial: dashboardFromHistory(initialHistory, Date.now()),
      subscribe: (listener: (update: DashboardUpdate) => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      actions,
    }),
  );
  await turnsUntil(() => listeners.size > 0);
  assert.equal(listeners.size, 1, 'the dashboard listens to its event source');
  const push = async (update: DashboardUpdate) => {
    listeners.forEach((listener) => listener(update));
    // Updates that follow each other closely are drawn together, at most one burst interval later.
    mock.timers.tick(BURST_INTERVAL_MS);
    await nextTurn();
  };
  const event = (e: InterviewEvent) => push({ kind: 'event', event: e });
  const keys = async (...chunks: string[]) => {
    for (const chunk of chunks) {
      app.stdin.write(chunk);
      await nextTurn();
    }
  };
  return { app, calls, push, event, keys, frame: () => app.lastFrame() ?? '', shows: (pattern: RegExp, message?: string) => frameShowing(app, pattern, message) };
}

describe('terminal dashboard components', () => {
  // The components' own timers (the burst interval, the clock, the pause that tells a lone Escape
  // from a key sequence) run on a clock the tests move; React's scheduling stays real.
  beforeEach(() => mock.timers.enable({ apis: ['setTimeout', 'setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('draws the persisted history: header, candidate, alerts newest first with their messages', async () => {
    const earlier = new Date(Date.now() - 60_000).toISOString();
    const later = new Date(Date.now() - 30_000).toISOString();
    const { app, frame } = await renderDashboard(
      history([
        { node: { id: 'v1', type: 'TAB_SWITCH', severity: 'HIGH', count: 2, durationMs: 900, occurredAt: earlier, lastOccurredAt: earlier, accommodated: false } },
        { node: { id: 'v2', type: 'FACE_MISSING', severity: 'CRITICAL', count: 1, durationMs: 3000, occurredAt: later, lastOccurredAt: later, accommodated: false } },
        // Covered by the candidate's accommodations: raised no alert, so none is replayed.
        { node: { id: 'v3', type: 'LOOKING_AWAY', severity: 'LOW', count: 4, durationMs: 8000, occurredAt: later, lastOccurredAt: later, accommodated: true } },
      ]),
    );
    const screen = frame();
    assert.match(screen, /Senior backend engineer/);
    assert.match(screen, /LIVE/);
    assert.match(screen, /Ada Lovelace\s+● online/);
    assert.match(screen, /ALERTS 2 {2}TAB_SWITCH 2 · FACE_MISSING 1/);
    const lines = screen.split('\n');
    const face = lines.findIndex((line) => line.includes('No face visible'));
    const tab = lines.findIndex((line) => line.includes('Candidate switched to another tab (2 times)'));
    assert.ok(face > 0 && tab > face, `newest first:\n${screen}`);
    assert.doesNotMatch(screen, /⚠/, 'history raises no toast');
    app.unmount();
  });

  it('adds live alerts, updates a growing violation in place and toasts HIGH/CRITICAL only', async () => {
    const { app, event, frame, shows } = await renderDashboard();
    await event(alert('v1', 'LOOKING_AWAY', 'LOW', 1, 'Candidate is looking away from the screen'));
    await shows(/LOW\s+Ada Lovelace\s+Candidate is looking away/);
    assert.doesNotMatch(frame(), /⚠/);

    await event(alert('v2', 'MULTIPLE_FACES', 'CRITICAL', 1, 'More than one face visible'));
    await shows(/⚠ CRITICAL: Ada Lovelace — More than one face visible/);

    await event(alert('v2', 'MULTIPLE_FACES', 'CRITICAL', 3, 'More than one face visible (3 times)'));
    const screen = await shows(/More than one face visible \(3 times\)/);
    assert.equal(screen.split('More than one face visible (3 times)').length - 1, 1, `one line for the violation:\n${screen}`);
    assert.match(screen, /ALERTS 2 {2}MULTIPLE_FACES 3 · LOOKING_AWAY 1/);
    app.unmount();
  });

  it('shows joins, leaves, stream quality sparklines, media loss, status changes and a ready report', async () => {
    const { app, event, shows } = await renderDashboard();
    await event({ __typename: 'CandidateLeft', candidateId: CANDIDATE, sessionId: 's1', at: new Date().toISOString() });
    await shows(/Ada Lovelace\s+○ offline/);
    await event({ __typename: 'CandidateJoined', candidateId: CANDIDATE, sessionId: 's2', name: 'Ada Lovelace', resumed: false, at: new Date().toISOString() });
    await shows(/Ada Lovelace\s+● online\s+cam\/mic –\s+no stream stats yet/);
    for (const bitrateKbps of [400, 800, 1200]) {
      await event({ __typename: 'StreamQuality', candidateId: CANDIDATE, bitrateKbps, packetLossPct: 0.5, jitterMs: 3, rttMs: 20, score: 10 });
    }
    await shows(/cam\/mic ▲\s+1200 kb\/s [▁-█]{3}\s+loss\s+0\.5%/);
    await shows(/● REC/, 'media flowing in a live interview is recorded');
    await event(alert('v9', 'MEDIA_LOST', 'HIGH', 1, 'Camera or microphone stream lost'));
    await shows(/cam\/mic ✖/);
    await event({ __typename: 'InterviewStatusChanged', status: 'COMPLETED', at: new Date().toISOString() });
    await shows(/COMPLETED/);
    await event({ __typename: 'ReportReady', candidateId: CANDIDATE, reportId: 'r1' });
    await shows(/report ready/);
    app.unmount();
  });

  it('says when the connection drops and when it is back', async () => {
    const { app, push, shows } = await renderDashboard();
    await push({ kind: 'connection', state: 'live', reconnected: false });
    await shows(/● connected/);
    await push({ kind: 'connection', state: 'reconnecting', reconnected: false, reason: 'server restarting' });
    await shows(/◌ reconnecting…/);
    await shows(/Connection lost \(server restarting\); reconnecting…/);
    await push({ kind: 'connection', state: 'live', reconnected: true });
    await shows(/Reconnected; history reloaded/);
    app.unmount();
  });

  it('pings with a typed message, ends only after confirmation, shows action errors, filters by type', async () => {
    const { app, calls, event, keys, frame, shows } = await renderDashboard();
    await keys('p');
    await shows(/Message to Ada Lovelace:/);
    await keys('Please look ', 'at the camera\r');
    assert.deepEqual(calls, ['ping Ada Lovelace: Please look at the camera']);
    await shows(/Ping shown to Ada Lovelace/);

    await keys('e');
    await shows(/End the interview for everyone\? .*\(y\/N\)/);
    await keys('n');
    await shows(/Not ended/);
    await keys('e', 'y');
    assert.deepEqual(calls.slice(1), ['end']);
    await shows(/Interview ended \(COMPLETED\)/);

    await keys('s');
    await shows(/The interview is already LIVE/);

    await event(alert('v1', 'TAB_SWITCH', 'HIGH', 1, 'Candidate switched to another tab'));
    await event(alert('v2', 'FACE_MISSING', 'CRITICAL', 1, 'No face visible'));
    await keys('/', 'face\r');
    await shows(/ALERTS 1\/2 matching "face"/);
    assert.doesNotMatch(frame(), /Candidate switched to another tab/);
    await keys('\u001b');
    mock.timers.tick(100); // a lone Escape is told apart from the start of a key sequence by a pause
    await nextTurn();
    await shows(/ALERTS 2 /);
    app.unmount();
  });

  it('lets the host pick an interview', async () => {
    const interviews: PickableInterview[] = [
      { id: 'a', title: 'Live one', status: 'LIVE', scheduledAt: null },
      { id: 'b', title: 'Tomorrow', status: 'SCHEDULED', scheduledAt: '2026-12-01T14:00:00.000Z' },
    ];
    let picked: string | undefined;
    const app = render(h(InterviewPicker, { interviews, onPick: (interview: PickableInterview) => (picked = interview.id) }));
    await frameShowing(app, /› LIVE\s+-\s+Live one/);
    assert.match(app.lastFrame()!, /SCHEDULED\s+2026-12-01T14:00:00Z\s+Tomorrow/);
    await nextTurn(); // the picker's input handler is in place
    app.stdin.write('\u001b[B');
    await frameShowing(app, /› SCHEDULED\s+2026-12-01T14:00:00Z\s+Tomorrow/);
    app.stdin.write('\r');
    await nextTurn();
    assert.equal(picked, 'b');
  });

  it('keeps state rules: counts by type, filters, sparkline scale', () => {
    let state = dashboardFromHistory(history(), Date.now());
    state = applyEvent(state, alert('v1', 'TAB_SWITCH', 'HIGH', 4), Date.now());
    state = applyEvent(state, alert('v2', 'WINDOW_BLUR', 'HIGH', 1), Date.now());
    state = applyEvent(state, alert('v3', 'TAB_SWITCH', 'HIGH', 1), Date.now());
    assert.deepEqual(countsByType(state.alerts), [
      ['TAB_SWITCH', 5],
      ['WINDOW_BLUR', 1],
    ]);
    assert.deepEqual(
      filterAlerts(state.alerts, 'window blur').map((a) => a.violationId),
      ['v2'],
    );
    assert.equal(filterAlerts(state.alerts, '').length, 3);
    assert.equal(sparkline([0, 5, 10], 3), '▁▅█');
    assert.equal(sparkline([1], 4, 8), '▂   ', 'scaled to the floor, padded to the width');
  });
});
