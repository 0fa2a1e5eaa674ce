// Polls until a probe yields something truthy: for state that other processes (a browser, the
// SFU, a server) reach in their own time. The timeout is a hang guard, not a speed assertion: it is
// sized for a machine busy with other work (see `npm run test:stress`), not for a quiet one.
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The promise's value, or a failure once `timeoutMs` has passed: for a bound the requirement itself
 * sets (a process that must exit soon after a signal), sized with room for a busy machine.
 */
export async function within<T>(what: string, promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
