// A minimal GraphQL-over-HTTP client for tests: returns status, data and errors as sent.
export interface GraphQLResponse<T = any> {
  status: number;
  data: T | null | undefined;
  errors: { message: string; extensions?: { code?: string; [key: string]: unknown } }[] | undefined;
}

export interface GraphQLClientOptions {
  /** Abort a request (answer included) after this long; without it a request waits as long as fetch does. */
  timeoutMs?: number;
}

export class GraphQLClient {
  readonly url: string;
  token: string | undefined;
  readonly #options: GraphQLClientOptions;

  constructor(baseUrl: string, token?: string, options: GraphQLClientOptions = {}) {
    this.url = `${baseUrl}/graphql`;
    this.token = token;
    this.#options = options;
  }

  withToken(token: string): GraphQLClient {
    return new GraphQLClient(this.url.replace(/\/graphql$/, ''), token, this.#options);
  }

  async request<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse<T>> {
    const { timeoutMs } = this.#options;
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: JSON.stringify({ query, variables }),
      signal: timeoutMs === undefined ? null : AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { data?: T; errors?: GraphQLResponse['errors'] };
    return { status: response.status, data: body.data, errors: body.errors };
  }

  /** Runs the operation and fails the test unless it succeeded. */
  async ok<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await this.request<T>(query, variables);
    if (result.errors?.length || !result.data) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  /** Runs the operation and returns its first error's code and message (fails if it succeeded). */
  async error(query: string, variables: Record<string, unknown> = {}): Promise<{ code: string | undefined; message: string }> {
    const result = await this.request(query, variables);
    const first = result.errors?.[0];
    if (!first) throw new Error(`expected an error, got ${JSON.stringify(result.data)}`);
    return { code: first.extensions?.code, message: first.message };
  }
}

let counter = 0;
export function uniqueEmail(prefix = 'host'): string {
  return `${prefix}-${process.pid}-${Date.now()}-${counter++}@example.com`;
}

export async function signUp(client: GraphQLClient, orgName = 'Acme'): Promise<{ client: GraphQLClient; hostId: string; email: string }> {
  const email = uniqueEmail();
  const data = await client.ok<{ signUp: { token: string; host: { id: string } } }>(
    'mutation($email: String!, $orgName: String!) { signUp(email: $email, password: "correct horse battery", orgName: $orgName) { token host { id } } }',
    { email, orgName },
  );
  return { client: client.withToken(data.signUp.token), hostId: data.signUp.host.id, email };
}
