// Browsers give the camera and microphone only to a secure context: a page opened over https, or
// on the machine itself. Opened over plain http from elsewhere, both pages would fail at the camera
// step with a browser error nobody can act on, so they stop first and say what is wrong and who
// fixes it.
import { h, show } from './dom.ts';

export type PageKind = 'candidate' | 'host';

export function showInsecureOrigin(kind: PageKind): void {
  const https = new URL(location.href);
  https.protocol = 'https:';
  https.port = '';
  const heading = h('h1', { id: 'insecure-title', tabindex: '-1' }, 'This link must be opened over https');
  const forHost = [
    h('h2', {}, kind === 'candidate' ? 'For the interviewer' : 'To fix it'),
    h(
      'p',
      { class: 'hint' },
      'Serve Proctor over HTTPS: give it a certificate (PROCTOR_TLS_CERT and PROCTOR_TLS_KEY) or put it behind a reverse proxy that terminates TLS ' +
        '(PROCTOR_TRUST_PROXY=true), set PROCTOR_PUBLIC_URL to the https:// address, and send new links. See docs/deploy.md.',
    ),
  ];
  const message =
    kind === 'candidate'
      ? h(
          'p',
          { class: 'message' },
          `This interview page was opened at ${location.origin}, which is not secure, so your browser will not let it use your camera and microphone. `,
          'Nothing has been shared. Ask the person who invited you for a link that starts with https://.',
        )
      : h(
          'p',
          { class: 'message' },
          `The interview room was opened at ${location.origin}, which is not secure, so your browser will not let it use your camera and microphone, `,
          "and candidates' links have the same problem.",
        );
  show(
    'insecure',
    h(
      'section',
      { class: 'card error', role: 'alert', 'aria-labelledby': 'insecure-title' },
      heading,
      message,
      h('p', { class: 'hint' }, 'If this server also answers on https, the same page is at ', h('a', { href: https.href, id: 'https-link' }, https.origin), '.'),
      ...forHost,
    ),
  );
  heading.focus();
}
