// What `proctor doctor` and `proctor backup` share: the operator key (from the flag, or the
// operator-key file in the server's data dir, which only the operator can read) and requests to
// the /operator/* routes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Flags } from '@oclif/core';
import envPaths from 'env-paths';
import { OPERATOR_KEY_FILE } from '../contract/diagnostics.ts';

export const operatorFlags = {
  'data-dir': Flags.string({
    env: 'PROCTOR_DATA_DIR',
    helpGroup: 'OPERATOR',
    description: "the server's data dir, where its operator-key file is [default: proctor up's default data dir]",
  }),
  'operator-key': Flags.string({
    env: 'PROCTOR_OPERATOR_KEY',
    helpGroup: 'OPERATOR',
    description: "the operator key, for a server on another machine (the content of its data dir's operator-key file)",
  }),
};

/** The operator key, or why there is none. */
export async function operatorKey(flags: { 'data-dir'?: string | undefined; 'operator-key'?: string | undefined }): Promise<{ key: string } | { problem: string }> {
  if (flags['operator-key']) return { key: flags['operator-key'] };
  const file = join(flags['data-dir'] ?? envPaths('proctor', { suffix: '' }).data, OPERATOR_KEY_FILE);
  try {
    return { key: (await readFile(file, 'utf8')).trim() };
  } catch (error) {
    return {
      problem: `cannot read the operator key at ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): run this on the server with --data-dir, or pass --operator-key`,
    };
  }
}

/** A refused /operator/* request: the HTTP status and the server's code and message. */
export class OperatorRequestError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  constructor(message: string, status: number, code: string | undefined) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** GET a /operator/* path; a non-2xx answer throws with the server's message. `signal` bounds the whole exchange. */
export async function operatorRequest(server: string, path: string, key: string, signal?: AbortSignal): Promise<Response> {
  const response = await fetch(`${server}${path}`, { headers: { authorization: `Bearer ${key}` }, signal: signal ?? null });
  if (!response.ok) {
    const body = (await response.json().catch(() => undefined)) as { errors?: { message: string; extensions?: { code?: string } }[] } | undefined;
    const error = body?.errors?.[0];
    throw new OperatorRequestError(`${server}${path} answered ${response.status}: ${error?.message ?? response.statusText}`, response.status, error?.extensions?.code);
  }
  return response;
}
