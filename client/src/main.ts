// One small app for both pages: /i/<join token> (candidate) and /h/<interview id> (host room).
import { runCandidate } from './candidate/flow.ts';
import { showError } from './candidate/error-page.ts';
import { runRoom } from './host/room.ts';
import './style.css';

const [, kind, id] = location.pathname.split('/');
if (kind === 'i' && id) void runCandidate(decodeURIComponent(id));
else if (kind === 'h' && id) void runRoom(decodeURIComponent(id));
else showError('Page not found', 'This address is not an interview link.');
