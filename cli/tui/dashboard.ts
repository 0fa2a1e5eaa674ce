// The live dashboard of one interview: header, candidates, alert feed, toast, and the keys that
// drive it. It draws a DashboardState; updates (history, live events, connection changes) come
// in through `subscribe`, and the keys act through `actions`, so it runs the same against a
// real server and in tests.
import React, { useEffect, useReducer, useState } from 'react';
import { Box, Text, useApp, useInput, useWindowSize } from 'ink';
import type { ConnectionState } from '../live/interview-feed.ts';
import type { InterviewEvent } from '../../contract/live-events.ts';
import type { InterviewHistory } from '../live/wire.ts';
import { AlertFeed } from './alert-feed.ts';
import { CandidateList } from './candidate-list.ts';
import { applyEvent, expireToast, filterAlerts, isRecording, mergeHistory, withConnection, type CandidateView, type DashboardState } from './dashboard-state.ts';
import { Header } from './header.ts';
import { HelpLine, type InputMode } from './help-line.ts';
import { PromptLine } from './prompt-line.ts';
import { Toast } from './toast.ts';

const h = React.createElement;

export type DashboardUpdate =
  | { kind: 'event'; event: InterviewEvent }
  | { kind: 'history'; history: InterviewHistory }
  | { kind: 'connection'; state: ConnectionState; reconnected: boolean; reason?: string };

/** What the keys do. Each resolves with a line to show, or rejects with an error to show. */
export interface DashboardActions {
  ping(candidate: CandidateView, message: string): Promise<string>;
  start(): Promise<string>;
  end(): Promise<string>;
  report(candidate: CandidateView | undefined): Promise<string>;
}

export interface DashboardProps {
  initial: DashboardState;
  subscribe: (listener: (update: DashboardUpdate) => void) => () => void;
  actions: DashboardActions;
}

interface Notice {
  text: string;
  error: boolean;
}

/**
 * Updates are drawn at once when they come alone, and at most this often when they pour in: a
 * burst of alerts then costs one layout per interval instead of one per alert.
 */
export const BURST_INTERVAL_MS = 50;

/** Lines around the alert list: header, candidates title, alerts title, toast, notice, help. */
const FIXED_ROWS = 7;
const MAX_CANDIDATE_ROWS = 5;

function reduce(state: DashboardState, update: DashboardUpdate | { kind: 'tick' } | { kind: 'batch'; updates: DashboardUpdate[] }): DashboardState {
  const now = Date.now();
  switch (update.kind) {
    case 'batch':
      return update.updates.reduce(reduce, state);
    case 'event':
      return applyEvent(state, update.event, now);
    case 'history':
      return mergeHistory(state, update.history, now);
    case 'connection':
      return withConnection(state, update.state, connectionNotice(update));
    case 'tick':
      return expireToast(state, now);
  }
}

function connectionNotice(update: { state: ConnectionState; reconnected: boolean; reason?: string }): string | null {
  if (update.state === 'live') return update.reconnected ? 'Reconnected; history reloaded' : null;
  if (update.state === 'reconnecting') return `Connection lost${update.reason ? ` (${update.reason})` : ''}; reconnecting…`;
  return null;
}

export function Dashboard({ initial, subscribe, actions }: DashboardProps) {
  const { exit } = useApp();
  const { columns, rows } = useWindowSize();
  const [state, dispatch] = useReducer(reduce, initial);
  const [now, setNow] = useState(Date.now());
  const [mode, setMode] = useState<InputMode>('keys');
  const [selected, setSelected] = useState(0);
  const [draft, setDraft] = useState('');
  const [filter, setFilter] = useState('');
  const [notice, setNotice] = useState<Notice | null>(null);

  useEffect(() => {
    let pending: DashboardUpdate[] = [];
    let lastFlush = 0;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      lastFlush = performance.now();
      const updates = pending;
      pending = [];
      dispatch({ kind: 'batch', updates });
    };
    const unsubscribe = subscribe((update) => {
      // A connection change is news the older action result must not hide.
      if (update.kind === 'connection') setNotice(null);
      pending.push(update);
      if (timer) return;
      const wait = lastFlush + BURST_INTERVAL_MS - performance.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [subscribe]);
  // The clock only ticks while there is something to count or a toast to expire: an idle
  // dashboard of a scheduled interview redraws nothing.
  const ticking = state.interview.status === 'LIVE' || state.toast !== null;
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => {
      setNow(Date.now());
      dispatch({ kind: 'tick' });
    }, 1000);
    return () => clearInterval(timer);
  }, [ticking]);

  const candidate: CandidateView | undefined = state.candidates[Math.min(selected, state.candidates.length - 1)];
  const run = (action: Promise<string>) => {
    setNotice({ text: '…', error: false });
    action.then(
      (text) => setNotice({ text, error: false }),
      (error: Error) => setNotice({ text: error.message, error: true }),
    );
  };

  useInput((input, key) => {
    if (mode === 'confirm-end') {
      setMode('keys');
      if (input === 'y' || input === 'Y') run(actions.end());
      else setNotice({ text: 'Not ended', error: false });
      return;
    }
    if (mode !== 'keys') {
      if (key.escape) {
        if (mode === 'filter') setFilter('');
        setMode('keys');
      }
      return;
    }
    if (key.upArrow) setSelected((index) => Math.max(0, index - 1));
    else if (key.downArrow) setSelected((index) => Math.min(state.candidates.length - 1, index + 1));
    else if (key.escape) setFilter('');
    else if (input === 'q') exit();
    else if (input === 's') run(actions.start());
    else if (input === 'e') setMode('confirm-end');
    else if (input === 'r') run(actions.report(candidate));
    else if (input === '/') {
      setDraft(filter);
      setMode('filter');
    } else if (input === 'p') {
      if (!candidate) setNotice({ text: 'Nobody to ping: no candidate has joined yet', error: true });
      else {
        setDraft('');
        setMode('ping');
      }
    }
  });

  const shown = filterAlerts(state.alerts, filter);
  const candidateRows = Math.max(1, Math.min(MAX_CANDIDATE_ROWS, state.candidates.length));
  const alertRows = Math.max(1, rows - FIXED_ROWS - candidateRows);

  let bottom: React.ReactNode;
  if (mode === 'ping' && candidate) {
    bottom = h(PromptLine, {
      label: `Message to ${candidate.name}:`,
      value: draft,
      placeholder: 'Please look at the camera',
      onChange: setDraft,
      onSubmit: (message: string) => {
        setMode('keys');
        if (message.trim()) run(actions.ping(candidate, message.trim()));
      },
    });
  } else if (mode === 'filter') {
    bottom = h(PromptLine, {
      label: 'Filter by type:',
      value: draft,
      placeholder: 'e.g. face, tab_switch',
      onChange: setDraft,
      onSubmit: (value: string) => {
        setFilter(value.trim());
        setMode('keys');
      },
    });
  } else if (mode === 'confirm-end') {
    bottom = h(Text, { color: 'yellow', bold: true }, 'End the interview for everyone? Join links stop working. (y/N)');
  } else {
    const text = notice?.text ?? state.connectionNotice ?? ' ';
    bottom = h(Text, { color: notice?.error ? 'red' : state.connection === 'live' ? undefined : 'yellow', wrap: 'truncate' }, text);
  }

  return h(
    Box,
    { flexDirection: 'column', width: columns, height: rows },
    h(Header, { interview: state.interview, connection: state.connection, recording: isRecording(state), now }),
    h(Text, { bold: true }, `CANDIDATES ${state.candidates.length}`),
    h(CandidateList, { candidates: state.candidates, selected, width: columns, maxRows: candidateRows }),
    h(AlertFeed, { alerts: state.alerts, shown, filter, candidates: state.candidates, rows: alertRows }),
    h(Toast, { toast: state.toast, candidates: state.candidates }),
    bottom,
    h(HelpLine, { mode }),
  );
}
