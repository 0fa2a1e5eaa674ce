// The full-screen parts of `proctor watch`, started from one place. Imported lazily by the
// command (see loadScreens): React must see NODE_ENV before it is first loaded.
import React from 'react';
import { render } from 'ink';
import { Dashboard, type DashboardProps } from './dashboard.ts';
import { InterviewPicker, type PickableInterview } from './interview-picker.ts';

const h = React.createElement;

/** Draws the dashboard until the host quits (q, Ctrl-C) or `stop` is called. */
export function showDashboard(props: DashboardProps): { stop(): void; ended: Promise<void> } {
  const app = render(h(Dashboard, props), { alternateScreen: true, interactive: true, exitOnCtrlC: true });
  return { stop: () => app.unmount(), ended: app.waitUntilExit().then(() => {}) };
}

/** The picked interview, or undefined when the host quits the picker. */
export async function pickInterview(interviews: readonly PickableInterview[]): Promise<PickableInterview | undefined> {
  let picked: PickableInterview | undefined;
  const app = render(h(InterviewPicker, { interviews, onPick: (interview: PickableInterview) => (picked = interview) }), { interactive: true });
  await app.waitUntilExit();
  return picked;
}

export type { PickableInterview };
