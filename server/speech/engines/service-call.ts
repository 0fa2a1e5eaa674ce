// The remote engines' one way to call their service: a JSON answer, or an error whose message says
// which service failed and how. That message is what the transcript's note keeps and the report
// shows, so a timeout or an unreachable host reads as such rather than as fetch's bare "fetch failed".

export interface ServiceRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: FormData | Blob | string;
  /** Ends the call: the engine's deadline for this request or for the whole transcript. */
  signal: AbortSignal;
}

/** Calls `url` and returns its JSON answer; `service` names who answered in every error. */
export async function callService<T>(service: string, url: URL, request: ServiceRequest): Promise<T> {
  const where = `${service} (${url.pathname})`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: request.method, headers: request.headers, body: request.body ?? null, signal: request.signal });
    text = await response.text();
  } catch (error) {
    if (request.signal.aborted) throw new Error(`${where} did not answer in time`, { cause: error });
    const reason = ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
    throw new Error(`${where} could not be reached: ${reason}`, { cause: error });
  }
  if (!response.ok) throw new Error(`${where} answered ${response.status}: ${text.slice(0, 200)}`);
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new Error(`${where} answered with something other than JSON: ${text.slice(0, 200)}`, { cause: error });
  }
}
