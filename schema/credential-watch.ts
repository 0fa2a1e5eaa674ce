// A subscription over HTTP (SSE) ends when the credential it was started with is revoked or
// expires: a last result says why, then the stream completes. (Over graphql-ws the socket itself
// closes, which ends its subscriptions: socket-credential.ts.)
import { GraphQLError, type ExecutionResult } from 'graphql';
import { isAsyncIterable, Repeater, type Plugin } from 'graphql-yoga';
import type { Context } from './context.ts';

export function endOnRevocation(): Plugin<Context> {
  return {
    onSubscribe: ({ args }) => ({
      onSubscribeResult: ({ result, setResult }) => {
        const { credential, services, peer } = args.contextValue;
        if (!credential || peer || !isAsyncIterable(result)) return;
        setResult(untilEnded(result, (onEnded) => services.revocations.watch(credential, onEnded)));
      },
    }),
  };
}

function untilEnded(source: AsyncIterable<ExecutionResult>, watch: (onEnded: (reason: string) => void) => () => void): AsyncIterableIterator<ExecutionResult> {
  return new Repeater<ExecutionResult>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    const unwatch = watch((reason) =>
      // After the current turn, so what the source already produced (an interview's last status
      // change, published just before its links are revoked) goes out first.
      setImmediate(() => {
        void push({ errors: [new GraphQLError(reason, { extensions: { code: 'UNAUTHENTICATED' } })] });
        stop();
      }),
    );
    const stopped = stop.then(() => ({ done: true, value: undefined }) as const);
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), stopped]);
        if (next.done) break;
        await push(next.value);
      }
    } finally {
      unwatch();
      stop();
      await iterator.return?.();
    }
  });
}
