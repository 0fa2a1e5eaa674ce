// Background jobs on Agenda: report generation, composites, transcription, webhook deliveries, the daily retention sweep and
// the frequent pending-work sweep (which enqueues again what a failed enqueue left without a job).
// Every process that enqueues has a JobRunner; those that also process (`proctor up` unless told
// not to, and each `proctor worker`) compete for jobs, and Agenda's locking keeps each job on one
// of them.
import { Agenda, backoffStrategies, type Job } from 'agenda';
import type { Logger } from '../log.ts';
import type { JobStore } from './backend.ts';

export const JobName = {
  generateReport: 'generate-report',
  composeRecording: 'compose-recording',
  transcribeSpeech: 'transcribe-speech',
  deliverWebhook: 'deliver-webhook',
  retentionSweep: 'retention-sweep',
  pendingWorkSweep: 'pending-work-sweep',
} as const;
export type JobName = (typeof JobName)[keyof typeof JobName];

export interface JobData {
  'generate-report': { reportId: string };
  'compose-recording': { compositeId: string };
  'transcribe-speech': { transcriptionId: string };
  'deliver-webhook': { deliveryId: string };
  'retention-sweep': Record<string, never>;
  'pending-work-sweep': Record<string, never>;
}

/** The data field naming what a job works on (see `enqueueOnce`). */
const JOB_SUBJECT = { 'generate-report': 'reportId', 'compose-recording': 'compositeId', 'transcribe-speech': 'transcriptionId', 'deliver-webhook': 'deliveryId' } as const;
type SubjectJobName = keyof typeof JOB_SUBJECT;

/**
 * What each job does. A handler that throws is retried with exponential backoff until
 * `attempts` runs have failed; handlers keep their own attempt count and record the final
 * failure where users can see it (report status, delivery log).
 */
export type JobHandlers = { [N in JobName]: (data: JobData[N]) => Promise<void> };

export interface JobQueue {
  enqueue<N extends JobName>(name: N, data: JobData[N]): Promise<void>;
  /**
   * Enqueues unless a job for the same report / delivery exists (queued, running or waiting for
   * a retry): how the pending-work sweep re-enqueues what looks stalled without doubling a job.
   */
  enqueueOnce<N extends SubjectJobName>(name: N, data: JobData[N]): Promise<void>;
}

export interface JobRunnerOptions {
  store: JobStore;
  logger: Logger;
  /** Process jobs here, or only enqueue them (for processes that leave the work to workers). */
  process: boolean;
  handlers: JobHandlers;
  retry: { attempts: number; delayMs: number };
  /** How often the pending-work sweep runs. */
  pendingSweepEveryMs: number;
  /** Shown as the lock owner in the jobs table. */
  name: string;
}

/**
 * Short lock, kept alive while a job runs: a crashed worker's job is picked up again within
 * seconds, and Agenda's lock-check timer (half the lifetime, left behind after a job) is short.
 */
const LOCK_LIFETIME_MS = 10_000;
const TOUCH_EVERY_MS = 3_000;
/**
 * Polling is the fallback for new jobs (notifications wake the processor as soon as one is
 * saved) but what picks up retries when they fall due: no less often than the first retry delay.
 */
const MAX_POLL_EVERY_MS = 5_000;
const RETENTION_SWEEP_EVERY = '1 day';
const ENQUEUE_TRIES = 3;

export class JobRunner implements JobQueue {
  readonly #agenda: Agenda;
  readonly #store: JobStore;
  readonly #logger: Logger;
  readonly #processing: boolean;
  readonly describe: string;
  /** Jobs this process has started and Agenda has not yet reported complete. */
  #running = 0;
  #closing: Promise<void> | undefined;

  private constructor(agenda: Agenda, options: JobRunnerOptions) {
    this.#agenda = agenda;
    this.#store = options.store;
    this.#logger = options.logger;
    this.#processing = options.process;
    this.describe = `${options.store.describe}${options.process ? '' : ', enqueue only'}`;
  }

  static async create(options: JobRunnerOptions): Promise<JobRunner> {
    const { store, handlers, retry } = options;
    const agenda = new Agenda({
      backend: store.backend,
      ...(store.notificationChannel ? { notificationChannel: store.notificationChannel } : {}),
      name: options.name,
      processEvery: Math.max(store.minPollMs, Math.min(MAX_POLL_EVERY_MS, retry.delayMs)),
      defaultLockLifetime: LOCK_LIFETIME_MS,
      // Each finished one-off job is removed; the delivery log and report rows keep the history.
      removeOnComplete: true,
    });
    const runner = new JobRunner(agenda, options);
    const backoff = backoffStrategies.exponential({ delay: retry.delayMs, factor: 2, maxRetries: retry.attempts - 1 });
    for (const name of Object.values(JobName)) {
      const handler = handlers[name] as (data: unknown) => Promise<void>;
      agenda.define(name, (job: Job<unknown>) => runner.#run(job, handler), { backoff, lockLifetime: LOCK_LIFETIME_MS });
    }
    // Local events only: with a notification channel Agenda re-emits other processes' too (remote).
    agenda.on('start', (_job: unknown, remote?: boolean) => {
      if (remote !== true) runner.#running++;
    });
    agenda.on('complete', (_job: unknown, remote?: boolean) => {
      if (remote !== true) runner.#running--;
    });
    agenda.on('fail', (error: Error | string, job: { attrs?: { name?: string }; jobName?: string }) => {
      options.logger.warn({ err: error, job: job.attrs?.name ?? job.jobName }, 'job failed');
    });
    await agenda.ready;
    if (options.process) {
      await agenda.start();
      await runner.#scheduleRecurring(JobName.retentionSweep, RETENTION_SWEEP_EVERY, true);
      await runner.#scheduleRecurring(JobName.pendingWorkSweep, options.pendingSweepEveryMs, false);
    }
    return runner;
  }

  /**
   * A recurring sweep is one 'single' job shared by every process. Processes starting together
   * race on its upsert (a unique-index violation for the loser), so a failure is tried again,
   * and at worst logged: another process has scheduled it.
   */
  async #scheduleRecurring(name: JobName, every: string | number, skipImmediate: boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#agenda.every(every, name, {}, { skipImmediate });
        return;
      } catch (error) {
        if (attempt >= ENQUEUE_TRIES) {
          this.#logger.warn({ err: error, job: name }, 'could not schedule a recurring sweep (another process may have)');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  }

  /**
   * Saves the job (a few tries: a transient database failure, such as a dropped connection or a
   * timed-out wait, should not cost the job; the pending-work sweep catches what still fails).
   */
  enqueue<N extends JobName>(name: N, data: JobData[N]): Promise<void> {
    return this.#save(name, () => this.#agenda.now(name, data));
  }

  enqueueOnce<N extends SubjectJobName>(name: N, data: JobData[N]): Promise<void> {
    const subject = JOB_SUBJECT[name];
    const key = (data as Record<string, string>)[subject];
    return this.#save(name, () =>
      this.#agenda
        .create(name, data)
        .unique({ [`data.${subject}`]: key }, { insertOnly: true })
        .schedule(new Date())
        .save(),
    );
  }

  async #save(name: JobName, save: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await save();
        return;
      } catch (error) {
        if (attempt >= ENQUEUE_TRIES) throw error;
        this.#logger.warn({ err: error, job: name, attempt }, 'enqueueing a job failed; trying again');
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  }

  /** Runs the retention sweep now (it otherwise runs once a day). */
  async sweepNow(): Promise<void> {
    await this.enqueue(JobName.retentionSweep, {});
  }

  /** Calls `listener` as this process starts a job (benchmarks measure pickup with it). */
  onStart(listener: (name: JobName, data: unknown) => void): () => void {
    const handler = (job: Job<unknown>) => listener(job.attrs.name as JobName, job.attrs.data);
    this.#agenda.on('start', handler);
    return () => this.#agenda.off('start', handler);
  }

  /**
   * Lets running jobs finish for up to `drainTimeoutMs` (one cut short runs again once its lock
   * expires), then disconnects. Agenda leaves a lock-check timer behind after a job has run (up to
   * half the lock lifetime), so a process that wants to exit at once exits explicitly after this
   * (the CLI does).
   */
  close(drainTimeoutMs: number): Promise<void> {
    this.#closing ??= (async () => {
      if (this.#processing) await this.#drain(drainTimeoutMs);
      // Agenda's stop() only disconnects a runner that was started.
      else await this.#store.backend.disconnect();
    })();
    return this.#closing;
  }

  /**
   * Stops taking jobs and waits for the running ones. Agenda 6.2.6's drain() can miss the end of
   * the last job (it checks before the job leaves its running list) and then waits for its whole
   * timeout, so the running count is watched here and the drain is ended once it reaches zero.
   */
  async #drain(timeoutMs: number): Promise<void> {
    const settled = new AbortController();
    const draining = this.#agenda.drain({ timeout: timeoutMs, signal: settled.signal, closeConnection: true });
    const watching = (async () => {
      while (!settled.signal.aborted && this.#running > 0) await new Promise((resolve) => setTimeout(resolve, 50));
      settled.abort();
    })();
    const result = await draining;
    settled.abort();
    await watching;
    if (result.running > 0 && this.#running > 0) this.#logger.warn({ running: this.#running }, 'jobs still running at shutdown: they will be picked up again');
  }

  async #run(job: Job<unknown>, handler: (data: unknown) => Promise<void>): Promise<void> {
    const keepAlive = setInterval(() => void job.touch().catch(() => {}), TOUCH_EVERY_MS);
    try {
      await handler(job.attrs.data);
    } finally {
      clearInterval(keepAlive);
    }
  }
}
