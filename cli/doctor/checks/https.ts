// Browsers give camera and microphone only to a secure context: https, or localhost.
import { isLocalhost, type Check, type CheckOutcome } from '../check.ts';

export const https: Check = {
  id: 'https',
  title: 'Served over https',
  run({ publicUrl }): CheckOutcome {
    if (publicUrl.protocol === 'https:') return { status: 'ok', detail: `${publicUrl.origin} is https` };
    if (isLocalhost(publicUrl)) return { status: 'ok', detail: 'http on localhost: browsers treat it as secure (trying out only)' };
    return {
      status: 'warn',
      detail: `${publicUrl.origin} is plain http: candidates' browsers give no camera or microphone to it`,
      remedy: 'serve https (a certificate for the name, behind a reverse proxy with PROCTOR_TRUST_PROXY) and set PROCTOR_PUBLIC_URL to the https URL',
    };
  },
};
