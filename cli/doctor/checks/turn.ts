// TURN reachable and its credentials accepted: for each of the server's TURN URLs, a real
// Allocate with a credential the server minted as it does for pages — first without credentials
// (a TURN server answers 401 with its realm and nonce), then with them — and the allocation
// released at once. UDP for plain `turn:` URLs, TCP for `?transport=tcp`; `turns:` (TLS) is not
// probed.
import { withDiagnostics, type Check, type CheckOutcome } from '../check.ts';
import { Method, openChannel, release, StunTimeout, udpRelay, type StunChannel } from '../turn-client.ts';

const SECRET_REMEDY = "PROCTOR_TURN_SECRET must equal coturn's static-auth-secret (use-auth-secret in /etc/turnserver.conf), then restart the one you changed";

/** One URL's result: a relayed address, or what went wrong and what to do. */
type Probe = { url: string; relayed: string } | { url: string; skipped: string } | { url: string; problem: string; remedy: string };

export const turn: Check = {
  id: 'turn',
  title: 'TURN relay',
  run(context) {
    return withDiagnostics(context, async ({ turn: facts }) => {
      if (!facts) return { status: 'info', detail: 'not configured (PROCTOR_TURN_URLS): candidates behind UDP-blocking firewalls reach media over ICE-TCP only' };
      const probes = await Promise.all(facts.urls.map((url) => probe(url, facts.username, facts.credential, context.timeoutMs)));
      return judge(probes);
    });
  },
};

function judge(probes: Probe[]): CheckOutcome {
  const failed = probes.filter((p) => 'problem' in p);
  const line = probes.map((p) => ('relayed' in p ? `${p.url} relayed ${p.relayed}` : 'skipped' in p ? `${p.url} ${p.skipped}` : `${p.url} ${p.problem}`)).join('; ');
  if (failed.length > 0) return { status: 'fail', detail: line, remedy: [...new Set(failed.map((p) => p.remedy))].join('; ') };
  if (!probes.some((p) => 'relayed' in p)) return { status: 'info', detail: line };
  return { status: 'ok', detail: line };
}

async function probe(url: string, username: string, password: string, timeoutMs: number): Promise<Probe> {
  const parsed = /^(turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/i.exec(url);
  if (!parsed) return { url, problem: 'is not a turn: URL this can probe', remedy: 'write PROCTOR_TURN_URLS as turn:HOST:PORT?transport=udp|tcp' };
  const [, scheme, rawHost, port, transport] = parsed;
  if (scheme!.toLowerCase() === 'turns') return { url, skipped: 'not probed (TLS)' };
  const host = rawHost!.replace(/^\[|\]$/g, '');
  const portNumber = Number(port ?? 3478);
  const over = (transport?.toLowerCase() ?? 'udp') as 'udp' | 'tcp';
  const unreachable = `open ${over.toUpperCase()} ${portNumber} to the TURN server (firewall), and check coturn runs (systemctl status coturn) and listens there`;
  let channel: StunChannel | undefined;
  try {
    channel = await openChannel(over, host, portNumber, timeoutMs);
    const challenge = await channel.request(Method.Allocate, udpRelay);
    if (challenge.errorCode !== 401 || !challenge.realm || !challenge.nonce) {
      const answer = challenge.ok ? 'allocated without credentials' : `answered ${challenge.errorCode} ${challenge.reason ?? ''}`.trim();
      return { url, problem: `${answer} instead of asking for credentials`, remedy: 'configure coturn with use-auth-secret and static-auth-secret as in docs/deploy.md' };
    }
    const auth = { username, password, realm: challenge.realm, nonce: challenge.nonce };
    const allocated = await channel.request(Method.Allocate, udpRelay, auth);
    if (!allocated.ok) {
      const refused = `refused the credential: ${allocated.errorCode} ${allocated.reason ?? ''}`.trim();
      if (allocated.errorCode === 401) return { url, problem: refused, remedy: SECRET_REMEDY };
      return { url, problem: refused, remedy: 'see the TURN server log (coturn: /var/log/turnserver/turnserver.log) for why' };
    }
    // Released so the probe does not hold a relay port for the credential's lifetime; a failed release only leaves it to expire.
    await channel.request(Method.Refresh, release, auth).catch(() => undefined);
    return { url, relayed: allocated.relayed ?? 'an address it did not name' };
  } catch (error) {
    const problem = error instanceof StunTimeout ? error.message : `unreachable (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
    return { url, problem, remedy: unreachable };
  } finally {
    channel?.close();
  }
}
