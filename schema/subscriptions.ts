// Turns a channel listener into the async iterator a subscription resolver returns. A Repeater
// (not an async generator) so a client's unsubscribe stops listening at once, not at the next event.
import { Repeater } from 'graphql-yoga';

export function fromListener<T>(listen: (push: (value: T) => void) => () => void): AsyncIterable<T> {
  return new Repeater<T>(async (push, stop) => {
    const unlisten = listen((value) => void push(value));
    await stop;
    unlisten();
  });
}
