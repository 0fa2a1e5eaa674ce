import { Flags } from '@oclif/core';
import { DIAGNOSTICS_PATH, type ServerDiagnostics } from '../../contract/diagnostics.ts';
import { ApiCommand } from '../base-command.ts';
import type { CheckResult, CheckStatus, DoctorContext } from '../doctor/check.ts';
import { CHECKS } from '../doctor/checks/index.ts';
import { operatorFlags, operatorKey, operatorRequest } from '../operator.ts';

const MARKS: Record<CheckStatus, string> = { ok: '✔', warn: '⚠', fail: '✖', info: '·' };

export interface DoctorReport {
  server: string;
  publicUrl: string;
  /** False when any check failed (the exit code is then 1). */
  ok: boolean;
  checks: CheckResult[];
}

export default class Doctor extends ApiCommand<typeof Doctor> {
  static override summary = 'Check a running deployment and say what to fix';
  static override description =
    'One line per check: ✔ fine, ⚠ works but not for real candidates, ✖ broken (with what to do), · nothing to judge. ' +
    'Checks from this machine what candidates reach (public URL, https, certificate, media ports, face models) and asks the server, ' +
    'with the operator key, what only it sees (ffmpeg, its RTC sockets, database and migrations, free space, JWT secret, clocks). ' +
    'On the server the key is read from the data dir; from elsewhere pass --operator-key.\n\n' +
    'Exit codes: 0 nothing failed (warnings allowed), 1 a check failed.';
  static override examples = [
    '<%= config.bin %> <%= command.id %>',
    { description: 'From another machine', command: '<%= config.bin %> <%= command.id %> --server https://proctor.example.com --operator-key "$KEY"' },
    { description: 'For scripts', command: '<%= config.bin %> <%= command.id %> --json | jq ".checks[] | select(.status == \\"fail\\")"' },
  ];
  static override flags = {
    ...operatorFlags,
    timeout: Flags.integer({ min: 1, max: 120, default: 5, description: 'seconds one probe may take' }),
  };

  async run(): Promise<DoctorReport> {
    const timeoutMs = this.flags.timeout * 1000;
    const context = await this.#gather(timeoutMs);
    const checks = await Promise.all(
      CHECKS.map(async (check): Promise<CheckResult> => {
        try {
          return { id: check.id, title: check.title, ...(await check.run(context)) };
        } catch (error) {
          return { id: check.id, title: check.title, status: 'fail', detail: `the check itself failed: ${(error as Error).message}` };
        }
      }),
    );
    const report: DoctorReport = { server: this.server, publicUrl: context.publicUrl.href, ok: checks.every((check) => check.status !== 'fail'), checks };
    if (!this.jsonEnabled()) {
      const width = Math.max(...checks.map((check) => check.title.length));
      for (const check of checks) {
        this.log(`${MARKS[check.status]} ${check.title.padEnd(width)}  ${check.detail}`);
        if (check.remedy && (check.status === 'fail' || check.status === 'warn')) this.log(`  ${' '.repeat(width)}  → ${check.remedy}`);
      }
    }
    if (!report.ok) process.exitCode = 1;
    return report;
  }

  /** The server's diagnostics (when the key opens them) and the public URL they name. */
  async #gather(timeoutMs: number): Promise<DoctorContext> {
    const key = await operatorKey(this.flags);
    let diagnostics: DoctorContext['diagnostics'];
    let problem: string | undefined;
    if ('key' in key) {
      const sentAt = Date.now();
      try {
        const facts = (await (await operatorRequest(this.server, DIAGNOSTICS_PATH, key.key, AbortSignal.timeout(timeoutMs))).json()) as ServerDiagnostics;
        diagnostics = { facts, sentAt, receivedAt: Date.now() };
      } catch (error) {
        problem = (error as Error).message;
      }
    } else {
      problem = key.problem;
    }
    return { server: this.server, publicUrl: new URL(diagnostics?.facts.publicUrl ?? this.server), diagnostics, diagnosticsProblem: problem, timeoutMs };
  }
}
