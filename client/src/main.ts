// One small app for the pages: /i/<join token> (candidate), /h/<interview id> (host room),
// /r/<interview id> (review) and /s/<statement link token> (a candidate's statement on a completed review).
// Each page is its own chunk, loaded by its route: the review page does not wait for the
// candidate page's media and face-check code to download and compile.
import { showError } from './candidate/error-page.ts';
import { showInsecureOrigin } from './insecure-page.ts';
import './style.css';

const [, kind, id] = location.pathname.split('/');

/** Runs a page's module once it has loaded; a chunk that cannot load (a deploy replaced it) says to reload. */
function open<T>(page: Promise<T>, run: (page: T, id: string) => Promise<void>): void {
  void page.then(
    (loaded) => run(loaded, decodeURIComponent(id!)),
    () => showError('The page cannot be loaded', 'Part of this page did not download.', 'Reload the page; if it keeps failing, the server may be restarting.'),
  );
}

// Before anything else: an insecure origin would only fail later, at the camera.
if ((kind === 'i' || kind === 'h') && id && !window.isSecureContext) showInsecureOrigin(kind === 'i' ? 'candidate' : 'host');
else if (kind === 'i' && id) open(import('./candidate/flow.ts'), (page, token) => page.runCandidate(token));
else if (kind === 'h' && id) open(import('./host/room.ts'), (page, interviewId) => page.runRoom(interviewId));
else if (kind === 'r' && id) open(import('./review/review.ts'), (page, interviewId) => page.runReview(interviewId));
else if (kind === 's' && id) open(import('./statement/page.ts'), (page, token) => page.runStatement(token));
else showError('Page not found', 'This address is not an interview link.');
