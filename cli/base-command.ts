// The base of every command that talks to a Proctor server: where the server is, which token to
// send, and one GraphQL call that turns every kind of failure into a clear message and an exit
// code scripts can branch on.
import { Command, Flags, type Interfaces } from '@oclif/core';
import { ClientConfigFile, DEFAULT_SERVER, type ClientSettings } from './client-config.ts';

/**
 * Exit codes, the same for every command:
 *   0 success
 *   1 unexpected failure (a server error, a broken local config file)
 *   2 usage: unknown or missing flag, invalid value (oclif), invalid configuration (`proctor up`)
 *   3 not logged in, or not allowed (UNAUTHENTICATED, FORBIDDEN)
 *   4 not found (NOT_FOUND)
 *   5 rejected: invalid input, a conflicting state or a reached limit (BAD_USER_INPUT, CONFLICT, LIMIT_EXCEEDED)
 *   6 rate limited (RATE_LIMITED): retry later
 *   7 the server cannot be reached, is temporarily unavailable (UNAVAILABLE) or gave up waiting (DEADLINE_EXCEEDED)
 */
export const ExitCode = { failure: 1, usage: 2, denied: 3, notFound: 4, rejected: 5, rateLimited: 6, unreachable: 7 } as const;

export const EXIT_CODES_HELP =
  'Exit codes: 0 success, 1 unexpected failure, 2 usage, 3 not logged in or not allowed, 4 not found, ' +
  '5 rejected (invalid input or conflicting state), 6 rate limited, 7 server unreachable or unavailable.';

const EXIT_BY_ERROR_CODE: Record<string, number> = {
  UNAUTHENTICATED: ExitCode.denied,
  FORBIDDEN: ExitCode.denied,
  NOT_FOUND: ExitCode.notFound,
  BAD_USER_INPUT: ExitCode.rejected,
  CONFLICT: ExitCode.rejected,
  LIMIT_EXCEEDED: ExitCode.rejected,
  RATE_LIMITED: ExitCode.rateLimited,
  UNAVAILABLE: ExitCode.unreachable,
  DEADLINE_EXCEEDED: ExitCode.unreachable,
};

/** The exit code for a server error code (UNAUTHENTICATED → 3, …); 1 for any other. */
export function exitCodeFor(code: string | undefined): number {
  return (code && EXIT_BY_ERROR_CODE[code]) || ExitCode.failure;
}

const REQUEST_TIMEOUT_MS = 30_000;

/** A failed request: the server's error code (or UNREACHABLE) and the exit code it maps to. */
export class ApiError extends Error {
  readonly code: string;
  readonly exit: number;
  readonly suggestions: string[] | undefined;

  constructor(message: string, code: string, exit: number, suggestions?: string[]) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.exit = exit;
    this.suggestions = suggestions;
  }
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string; retryAfterSeconds?: number };
}

export type ApiFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof ApiCommand)['baseFlags'] & T['flags']>;
export type ApiArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>;

export abstract class ApiCommand<T extends typeof Command> extends Command {
  static override enableJsonFlag = true;

  static override baseFlags = {
    server: Flags.string({
      env: 'PROCTOR_SERVER',
      helpGroup: 'CONNECTION',
      description: `Proctor server URL [default: the server you logged in to, else ${DEFAULT_SERVER}]`,
    }),
    token: Flags.string({
      env: 'PROCTOR_TOKEN',
      helpGroup: 'CONNECTION',
      description: 'login or API token [default: the one `proctor login` saved for this server]',
    }),
  };

  protected flags!: ApiFlags<T>;
  protected args!: ApiArgs<T>;
  protected readonly clientConfig = new ClientConfigFile();
  #saved: ClientSettings = {};
  #server = DEFAULT_SERVER;
  #token: string | undefined;

  /** The server this command talks to, without a trailing slash. */
  protected get server(): string {
    return this.#server;
  }

  /** What `proctor login` saved, as read when the command started. */
  protected get saved(): ClientSettings {
    return this.#saved;
  }

  override async init(): Promise<void> {
    await super.init();
    // Named one by one: oclif spreads the class when given none, which drops statics a command
    // inherits (the interview moves share their `args`).
    const { ctor } = this;
    const { flags, args } = await this.parse({
      flags: ctor.flags,
      baseFlags: ctor.baseFlags,
      enableJsonFlag: ctor.enableJsonFlag,
      args: ctor.args,
      strict: ctor.strict,
    });
    this.flags = flags as ApiFlags<T>;
    this.args = args as ApiArgs<T>;
    this.#saved = await this.clientConfig.read();
    // Flag and environment are already merged by oclif (flag wins); the saved file comes last.
    this.#server = this.#validServer(this.flags.server ?? this.#saved.server ?? DEFAULT_SERVER);
    // A saved token was issued by the saved server: never send it to a different one.
    this.#token = this.flags.token ?? (this.#saved.server === this.#server ? this.#saved.token : undefined);
  }

  /** The token sent with every request, if any (the live dashboard sends it over graphql-ws too). */
  protected get authToken(): string | undefined {
    return this.#token;
  }

  /** Runs one operation and returns its data; any failure ends the command with a message and exit code. */
  protected async graphql<Data>(query: string, variables: Record<string, unknown> = {}): Promise<Data> {
    try {
      return await this.request<Data>(query, variables);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.error(error.message, { code: error.code, exit: error.exit, suggestions: error.suggestions });
    }
  }

  /**
   * Runs one operation and returns its data; a failure throws an ApiError (with the exit code it
   * maps to) instead of ending the command, for callers that keep running (the live dashboard).
   */
  protected async request<Data>(query: string, variables: Record<string, unknown> = {}): Promise<Data> {
    let response: Response;
    try {
      response = await fetch(`${this.#server}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      if ((error as Error).name === 'TimeoutError') {
        throw new ApiError(`The Proctor server at ${this.#server} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s`, 'UNREACHABLE', ExitCode.unreachable);
      }
      // fetch reports every network failure as "fetch failed"; the cause says which one.
      const reason = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
      throw new ApiError(`Cannot reach the Proctor server at ${this.#server} — is \`proctor up\` running? (${reason})`, 'UNREACHABLE', ExitCode.unreachable);
    }
    const body = (await response.json().catch(() => undefined)) as { data?: Data | null; errors?: GraphQLError[] } | undefined;
    if (body?.errors?.length) throw this.#failure(body.errors);
    if (!body?.data) {
      throw new ApiError(`${this.#server} answered HTTP ${response.status} without GraphQL data — is it a Proctor server?`, 'UNKNOWN', ExitCode.failure);
    }
    return body.data;
  }

  #failure(errors: GraphQLError[]): ApiError {
    const code = errors[0]!.extensions?.code ?? 'UNKNOWN';
    const retryAfter = errors[0]!.extensions?.retryAfterSeconds;
    const message = errors.map((error) => error.message).join('\n') + (retryAfter ? ` (retry in ${retryAfter} s)` : '');
    const suggestions = code === 'UNAUTHENTICATED' && !this.#token ? [`Log in with \`proctor login\`, or pass --token / set PROCTOR_TOKEN (server: ${this.#server})`] : undefined;
    return new ApiError(message, code, exitCodeFor(code), suggestions);
  }

  #validServer(raw: string): string {
    const url = URL.parse(raw);
    if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
      this.error(`The server must be an http(s) URL such as ${DEFAULT_SERVER}, got "${raw}"`, { exit: ExitCode.usage });
    }
    return raw.replace(/\/+$/, '');
  }
}
