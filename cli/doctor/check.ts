// One `proctor doctor` check: a file under checks/, listed in checks/index.ts. A check reads what
// the doctor gathered once (the public URL, the server's own diagnostics) and may look further
// from this machine (connect, fetch); it answers with a status, what it saw, and what to do.
import type { ServerDiagnostics } from '../../contract/diagnostics.ts';

/** ok ✔, warn ⚠ (works, but not as it should for real candidates), fail ✖ (exit code 1), info · (nothing to judge). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';

export interface CheckOutcome {
  status: CheckStatus;
  /** What was seen, one line. */
  detail: string;
  /** What to do about it (for warn and fail). */
  remedy?: string | undefined;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: string;
}

export interface DoctorContext {
  /** The URL the doctor was pointed at (--server). */
  server: string;
  /** The public URL candidates are sent to: the server's PROCTOR_PUBLIC_URL, else --server. */
  publicUrl: URL;
  /** The server's own view, with when this machine asked and heard back (ms since epoch). */
  diagnostics: { facts: ServerDiagnostics; sentAt: number; receivedAt: number } | undefined;
  /** Why there are no diagnostics (no operator key, server unreachable, refused). */
  diagnosticsProblem: string | undefined;
  /** Longest one network probe may take, in ms. */
  timeoutMs: number;
}

export interface Check {
  id: string;
  title: string;
  run(context: DoctorContext): CheckOutcome | Promise<CheckOutcome>;
}

/** Checks that need the server's view answer this when it is missing. */
export function withDiagnostics(context: DoctorContext, judge: (facts: ServerDiagnostics) => CheckOutcome | Promise<CheckOutcome>): CheckOutcome | Promise<CheckOutcome> {
  if (context.diagnostics) return judge(context.diagnostics.facts);
  return {
    status: 'fail',
    detail: `no server diagnostics: ${context.diagnosticsProblem}`,
    remedy: 'start proctor up, and give the doctor the operator key (--data-dir or --operator-key)',
  };
}

export function isLocalhost(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname) || url.hostname.endsWith('.localhost');
}
