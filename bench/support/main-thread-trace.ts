// Where a page's main thread spends its time while `during` runs: a Chromium trace (the DevTools
// timeline categories) taken over CDP, reduced to each event's self time (its duration less its
// children's) on the renderer's main thread, summed by event name. What a bench prints when a
// figure needs explaining ("the frames go to Layout, Paint, …"), not a figure of its own.
import type { CDPSession } from 'playwright-core';

const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'cc', 'v8.execute'].join(',');
const TRACE_TIMEOUT_MS = 30_000;

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  args?: { name?: string };
}

export interface MainThreadTime {
  /** Self time in ms by trace event name, largest first. */
  selfMs: [string, number][];
  totalMs: number;
}

/** Runs `during` under a trace and returns its result with the main thread's time by event name. */
export async function traceMainThread<T>(session: CDPSession, during: () => Promise<T>): Promise<{ result: T; time: MainThreadTime }> {
  const events: TraceEvent[] = [];
  // CDP types the events as string maps; Chromium's trace format gives them these fields.
  const collect = ({ value }: { value: object[] }) => {
    events.push(...(value as TraceEvent[]));
  };
  session.on('Tracing.dataCollected', collect);
  await session.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' });
  let result: T;
  try {
    result = await during();
  } finally {
    const complete = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the trace never completed')), TRACE_TIMEOUT_MS);
      session.once('Tracing.tracingComplete', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await session.send('Tracing.end');
    await complete;
    session.off('Tracing.dataCollected', collect);
  }
  return { result, time: selfTimes(events) };
}

function selfTimes(events: TraceEvent[]): MainThreadTime {
  const main = events.find((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return { selfMs: [], totalMs: 0 };
  const slices = events.filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined).sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const self = new Map<string, number>();
  const stack: { end: number; name: string }[] = [];
  let totalUs = 0;
  for (const slice of slices) {
    while (stack.length > 0 && stack.at(-1)!.end <= slice.ts) stack.pop();
    const parent = stack.at(-1);
    // A child's time is its own, not its parent's.
    if (parent) self.set(parent.name, (self.get(parent.name) ?? 0) - slice.dur!);
    else totalUs += slice.dur!;
    self.set(slice.name, (self.get(slice.name) ?? 0) + slice.dur!);
    stack.push({ end: slice.ts + slice.dur!, name: slice.name });
  }
  return {
    selfMs: [...self].map(([name, us]) => [name, us / 1000] as [string, number]).sort((a, b) => b[1] - a[1]),
    totalMs: totalUs / 1000,
  };
}
