// The bottom line: the keys that work right now.
import React from 'react';
import { Text } from 'ink';

const h = React.createElement;

export type InputMode = 'keys' | 'ping' | 'filter' | 'confirm-end';

const HELP: Record<InputMode, string> = {
  keys: 'p ping  s start  e end  r report  / filter  ↑↓ candidate  q quit',
  ping: 'enter send  esc cancel',
  filter: 'enter apply  esc clear',
  'confirm-end': 'y end the interview  any other key cancel',
};

export function HelpLine({ mode }: { mode: InputMode }) {
  return h(Text, { dimColor: true, wrap: 'truncate' }, HELP[mode]);
}
