// One small app for the pages: /i/<join token> (candidate), /h/<interview id> (host room),
// /r/<interview id> (review) and /s/<statement link token> (a candidate's statement on a completed review).
import { runCandidate } from './candidate/flow.ts';
import { showError } from './candidate/error-page.ts';
import { runRoom } from './host/room.ts';
import { runReview } from './review/review.ts';
import { showInsecureOrigin } from './insecure-page.ts';
import { runStatement } from './statement/page.ts';
import './style.css';

const [, kind, id] = location.pathname.split('/');
// Before anything else: an insecure origin would only fail later, at the camera.
if ((kind === 'i' || kind === 'h') && id && !window.isSecureContext) showInsecureOrigin(kind === 'i' ? 'candidate' : 'host');
else if (kind === 'i' && id) void runCandidate(decodeURIComponent(id));
else if (kind === 'h' && id) void runRoom(decodeURIComponent(id));
else if (kind === 'r' && id) void runReview(decodeURIComponent(id));
else if (kind === 's' && id) void runStatement(decodeURIComponent(id));
else showError('Page not found', 'This address is not an interview link.');
