import { h, show } from '../dom.ts';

/** A page for a link that cannot be used, or anything that stops the flow: what and what to do. */
export function showError(title: string, message: string, hint = 'If you think this is a mistake, ask the person who invited you for a new link.'): void {
  show('error', h('section', { class: 'card error' }, h('h1', {}, title), h('p', { class: 'message' }, message), h('p', { class: 'hint' }, hint)));
}
