// A one-line text prompt (ping message, type filter). Its own key handling rather than a text
// input component: a pasted or scripted chunk such as "hello\r" arrives as one input, and the
// Enter inside it must still submit.
import React from 'react';
import { Box, Text, useInput } from 'ink';

const h = React.createElement;

export interface PromptLineProps {
  label: string;
  value: string;
  placeholder?: string;
  onChange: (value: string) => void;
  onSubmit: (value: string) => void;
}

export function PromptLine({ label, value, placeholder, onChange, onSubmit }: PromptLineProps) {
  useInput((input, key) => {
    if (key.escape || key.upArrow || key.downArrow || key.leftArrow || key.rightArrow || key.tab) return;
    if (key.backspace || key.delete) {
      onChange(value.slice(0, -1));
      return;
    }
    if (key.return) {
      onSubmit(value);
      return;
    }
    const enter = input.search(/[\r\n]/);
    // Control characters (Ctrl-…) are not text.
    const typed = (enter >= 0 ? input.slice(0, enter) : input).replace(/\p{Cc}/gu, '');
    if (enter >= 0) onSubmit(value + typed);
    else if (typed) onChange(value + typed);
  });
  return h(Box, null, h(Text, { color: 'cyan' }, `${label} `), value ? h(Text, null, value) : h(Text, { dimColor: true }, placeholder ?? ''), h(Text, { inverse: true }, ' '));
}
