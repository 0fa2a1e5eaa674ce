// Waiting for the signal that stops a long-running command (`proctor up`, `proctor worker`).

/** Resolves with the first of these signals; a second one gets the default handling (terminate). */
export function nextSignal(signals: NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const name of signals) process.off(name, onSignal);
      resolve(signal);
    };
    for (const name of signals) process.on(name, onSignal);
  });
}
