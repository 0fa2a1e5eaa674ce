// What the dashboard shows, as plain data, and how history and live events change it. Pure
// functions of (state, input, now): the components only draw this, and the tests can drive it.
import { replayedAlert, type Alert } from '../live/replayed-alert.ts';
import type { ConnectionState } from '../live/interview-feed.ts';
import type { InterviewStatus } from '../../contract/interview.ts';
import type { InterviewEvent, LiveAlert } from '../../contract/live-events.ts';
import type { InterviewHistory } from '../live/wire.ts';

/** A candidate's page heartbeats every 2 s; an open session quieter than this looks gone. */
const SILENT_AFTER_MS = 15_000;
/** Samples kept for a sparkline (one every 2 s: the last minute). */
const QUALITY_SAMPLES = 30;
/** The feed keeps this many alerts; older ones are in the report. */
const MAX_ALERTS = 500;
export const TOAST_MS = 6000;

export type Presence = 'online' | 'silent' | 'offline';
export type MediaState = 'none' | 'flowing' | 'lost';

export interface CandidateView {
  id: string;
  name: string;
  presence: Presence;
  /** Whether the SFU reports the camera/mic streams: StreamQuality samples arrive, or MEDIA_LOST was raised. */
  media: MediaState;
  bitrateKbps: number[];
  packetLossPct: number[];
  score: number | null;
  reportId: string | null;
}

export type AlertView = Alert;

export interface ToastView {
  alert: AlertView;
  until: number;
}

export interface InterviewView {
  id: string;
  title: string;
  status: InterviewStatus;
  scheduledAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
}

export interface DashboardState {
  interview: InterviewView;
  /** In the order they first appeared. */
  candidates: CandidateView[];
  /** Newest first; an update to a violation keeps its place. */
  alerts: AlertView[];
  connection: ConnectionState;
  /** Said once after a reconnect (or a drop), until the next change. */
  connectionNotice: string | null;
  toast: ToastView | null;
}

export function dashboardFromHistory(history: InterviewHistory, now: number): DashboardState {
  return mergeHistory(
    {
      interview: interviewView(history),
      candidates: [],
      alerts: [],
      connection: 'connecting',
      connectionNotice: null,
      toast: null,
    },
    history,
    now,
  );
}

/**
 * Folds persisted history into the state: on open, and again after a reconnect to pick up what
 * happened while the socket was down. Live facts already known (stream quality, reports) stay.
 */
export function mergeHistory(state: DashboardState, history: InterviewHistory, now: number): DashboardState {
  const candidates = [...state.candidates];
  const alerts = new Map(state.alerts.map((alert) => [alert.violationId, alert]));
  for (const { node: candidate } of history.candidates.edges) {
    const open = candidate.sessions.find((session) => session.endedAt === null);
    const lastSign = open ? Date.parse(open.lastHeartbeatAt ?? open.startedAt) : 0;
    const presence: Presence = !open ? 'offline' : now - lastSign <= SILENT_AFTER_MS ? 'online' : 'silent';
    upsertCandidate(candidates, candidate.id, (current) => ({ ...(current ?? newCandidate(candidate.id, candidate.name)), name: candidate.name, presence }));
    for (const session of candidate.sessions) {
      for (const { node: violation } of session.violations.edges) {
        // Live alerts go out before their commit: a live count may be ahead of the stored one.
        if (violation.accommodated || (alerts.get(violation.id)?.count ?? 0) > violation.count) continue;
        alerts.set(violation.id, replayedAlert(candidate.id, violation));
      }
    }
  }
  return { ...state, interview: interviewView(history), candidates, alerts: newestFirst([...alerts.values()]) };
}

export function applyEvent(state: DashboardState, event: InterviewEvent, now: number): DashboardState {
  switch (event.__typename) {
    case 'CandidateJoined':
      return withCandidate(state, event.candidateId, (c) => ({ ...c, name: event.name, presence: 'online' }), event.name);
    case 'CandidateLeft':
      return withCandidate(state, event.candidateId, (c) => ({ ...c, presence: 'offline', media: 'none' }));
    case 'LiveAlert':
      return applyAlert(state, event, now);
    case 'InterviewStatusChanged':
      return {
        ...state,
        interview: {
          ...state.interview,
          status: event.status,
          startedAt: event.status === 'LIVE' ? (state.interview.startedAt ?? event.at) : state.interview.startedAt,
          endedAt: event.status === 'COMPLETED' ? event.at : state.interview.endedAt,
        },
      };
    case 'StreamQuality':
      return withCandidate(state, event.candidateId, (c) => ({
        ...c,
        media: 'flowing',
        bitrateKbps: [...c.bitrateKbps, event.bitrateKbps].slice(-QUALITY_SAMPLES),
        packetLossPct: [...c.packetLossPct, event.packetLossPct].slice(-QUALITY_SAMPLES),
        score: event.score,
      }));
    case 'ReportReady':
      return withCandidate(state, event.candidateId, (c) => ({ ...c, reportId: event.reportId }));
  }
}

export function withConnection(state: DashboardState, connection: ConnectionState, notice: string | null): DashboardState {
  return { ...state, connection, connectionNotice: notice };
}

export function expireToast(state: DashboardState, now: number): DashboardState {
  return state.toast && state.toast.until <= now ? { ...state, toast: null } : state;
}

/** Total events per violation type (a violation's count is how many events it aggregates), most first. */
export function countsByType(alerts: readonly AlertView[]): [type: string, count: number][] {
  const counts = new Map<string, number>();
  for (const alert of alerts) counts.set(alert.type, (counts.get(alert.type) ?? 0) + alert.count);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Alerts whose type contains the filter text (case-insensitive); all of them without a filter. */
export function filterAlerts(alerts: readonly AlertView[], filter: string): readonly AlertView[] {
  const needle = filter
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, '_');
  return needle ? alerts.filter((alert) => alert.type.includes(needle)) : alerts;
}

/** The SFU records while media flows in a live interview. */
export function isRecording(state: DashboardState): boolean {
  return state.interview.status === 'LIVE' && state.candidates.some((candidate) => candidate.media === 'flowing');
}

function applyAlert(state: DashboardState, event: LiveAlert, now: number): DashboardState {
  const alert: AlertView = {
    violationId: event.violationId,
    candidateId: event.candidateId,
    type: event.type,
    severity: event.severity,
    message: event.message,
    occurredAt: event.occurredAt,
    count: event.count,
    durationMs: event.durationMs,
  };
  const index = state.alerts.findIndex((known) => known.violationId === alert.violationId);
  const alerts = index >= 0 ? state.alerts.with(index, alert) : withNewAlert(state.alerts, alert);
  const loud = index < 0 && (alert.severity === 'HIGH' || alert.severity === 'CRITICAL');
  const next: DashboardState = { ...state, alerts, toast: loud ? { alert, until: now + TOAST_MS } : state.toast };
  if (alert.type === 'HEARTBEAT_LOST') return withCandidate(next, alert.candidateId, (c) => ({ ...c, presence: 'silent' }));
  if (alert.type === 'MEDIA_LOST') return withCandidate(next, alert.candidateId, (c) => ({ ...c, media: 'lost' }));
  return withCandidate(next, alert.candidateId, (c) => c);
}

function withCandidate(state: DashboardState, id: string, change: (candidate: CandidateView) => CandidateView, name?: string): DashboardState {
  const candidates = [...state.candidates];
  upsertCandidate(candidates, id, (current) => change(current ?? newCandidate(id, name ?? `candidate ${id.slice(0, 8)}`)));
  return { ...state, candidates };
}

function upsertCandidate(candidates: CandidateView[], id: string, change: (current: CandidateView | undefined) => CandidateView): void {
  const index = candidates.findIndex((candidate) => candidate.id === id);
  if (index >= 0) candidates[index] = change(candidates[index]);
  else candidates.push(change(undefined));
}

function newCandidate(id: string, name: string): CandidateView {
  return { id, name, presence: 'offline', media: 'none', bitrateKbps: [], packetLossPct: [], score: null, reportId: null };
}

/** ISO instants in UTC order as plain strings (no locale rules); the id breaks ties so the order is stable. */
function newerFirst(a: AlertView, b: AlertView): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt > b.occurredAt ? -1 : 1;
  return a.violationId === b.violationId ? 0 : a.violationId > b.violationId ? -1 : 1;
}

function newestFirst(alerts: AlertView[]): AlertView[] {
  return alerts.sort(newerFirst);
}

/** A new alert is nearly always the newest: then it just goes on top, at 50 alerts/s that matters. */
function withNewAlert(alerts: readonly AlertView[], alert: AlertView): AlertView[] {
  const next = alerts.length === 0 || newerFirst(alert, alerts[0]!) <= 0 ? [alert, ...alerts] : newestFirst([alert, ...alerts]);
  return next.length > MAX_ALERTS ? next.slice(0, MAX_ALERTS) : next;
}

function interviewView(history: InterviewHistory): InterviewView {
  const { id, title, status, scheduledAt, startedAt, endedAt } = history;
  return { id, title, status, scheduledAt, startedAt, endedAt };
}
