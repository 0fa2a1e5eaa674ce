// The proctor engine's pure parts, in Node: the face state machine (thresholds, durations,
// repeats), the same-type debounce, the durable delivery queue, head pose and box merging.
import assert from 'node:assert/strict';
import { mock } from 'node:test';
import { Debouncer } from '../client/src/proctor/debounce.ts';
import { EventQueue, type DeliveryResult, type KeyValueStore, type QueuedEvent } from '../client/src/proctor/event-queue.ts';
import { countDistinct } from '../client/src/proctor/face-boxes.ts';
import { FaceRules, type FaceSample } from '../client/src/proctor/face-rules.ts';
import { headPose } from '../client/src/proctor/head-pose.ts';
import type { ViolationType } from '../contract/violations.ts';

const T0 = 1_700_000_000_000;

/** Feeds samples every `stepMs` from T0 and returns the events with the time they came out. */
function run(rules: FaceRules, samples: Omit<FaceSample, 'at'>[], stepMs = 200) {
  return samples.flatMap((sample, i) => rules.feed({ ...sample, at: T0 + i * stepMs }).map((event) => ({ ...event, emittedAt: T0 + i * stepMs })));
}
const repeat = <T>(value: T, times: number): T[] => Array.from({ length: times }, () => value);

describe('proctor engine (pure parts)', () => {
  describe('face rules', () => {
    it('raises FACE_MISSING once no face has been seen for 1 s, dated from the first faceless frame', () => {
      const events = run(new FaceRules({ lookAwayDegrees: 30 }), [{ faces: 1 }, ...repeat({ faces: 0 }, 6)]);
      assert.equal(events.length, 1);
      assert.equal(events[0]!.type, 'FACE_MISSING');
      assert.equal(events[0]!.occurredAt, T0 + 200);
      assert.equal(events[0]!.durationMs, 1000);
      assert.equal(events[0]!.emittedAt, T0 + 1200);
    });

    it('ignores shorter gaps: a face back within 1 s resets the clock', () => {
      const samples = [...repeat({ faces: 0 }, 4), { faces: 1 }, ...repeat({ faces: 0 }, 4), { faces: 1 }];
      assert.deepEqual(run(new FaceRules({ lookAwayDegrees: 30 }), samples), []);
    });

    it('raises MULTIPLE_FACES after 1 s with more than one face', () => {
      const events = run(new FaceRules({ lookAwayDegrees: 30 }), repeat({ faces: 2, score: 0.9 }, 6));
      assert.deepEqual(
        events.map((e) => [e.type, e.durationMs, e.confidence]),
        [['MULTIPLE_FACES', 1000, 0.9]],
      );
    });

    it('raises LOOKING_AWAY when |yaw| or |pitch| passes the interview limit for 2 s', () => {
      const rules = new FaceRules({ lookAwayDegrees: 30 });
      const yawing = run(rules, repeat({ faces: 1, yaw: -31, pitch: 0 }, 11));
      assert.deepEqual(
        yawing.map((e) => [e.type, e.durationMs, e.metadata?.yaw]),
        [['LOOKING_AWAY', 2000, -31]],
      );
      const pitching = run(new FaceRules({ lookAwayDegrees: 30 }), repeat({ faces: 1, yaw: 0, pitch: 45 }, 11));
      assert.equal(pitching.length, 1);
      const within = run(new FaceRules({ lookAwayDegrees: 30 }), repeat({ faces: 1, yaw: 29.9, pitch: -29.9 }, 30));
      assert.deepEqual(within, [], 'inside the limit is not looking away');
      const briefly = run(new FaceRules({ lookAwayDegrees: 30 }), [...repeat({ faces: 1, yaw: 50 }, 9), { faces: 1, yaw: 0 }]);
      assert.deepEqual(briefly, [], 'a glance under 2 s is fine');
      const flickering = run(new FaceRules({ lookAwayDegrees: 30 }), [
        ...repeat({ faces: 1, yaw: 50 }, 5),
        { faces: 1, yaw: null, pitch: null },
        ...repeat({ faces: 1, yaw: 50 }, 5),
      ]);
      assert.equal(flickering.length, 1, 'a frame without a pose neither ends nor starts the stretch');
      const unknownOnly = run(new FaceRules({ lookAwayDegrees: 30 }), repeat({ faces: 1, yaw: null, pitch: null }, 20));
      assert.deepEqual(unknownOnly, []);
    });

    it('reports a condition that goes on again every 5 s, each with the time since the last report', () => {
      const events = run(new FaceRules({ lookAwayDegrees: 30 }), repeat({ faces: 0 }, 56)); // 11 s
      assert.deepEqual(
        events.map((e) => [e.occurredAt - T0, e.durationMs]),
        [
          [0, 1000],
          [1000, 5000],
          [6000, 5000],
        ],
      );
    });

    it('tracks several conditions independently and says which are active', () => {
      const rules = new FaceRules({ lookAwayDegrees: 30 });
      run(rules, repeat({ faces: 2 }, 3));
      assert.deepEqual(rules.active, ['MULTIPLE_FACES']);
      rules.feed({ at: T0 + 10_000, faces: 1, yaw: 80 });
      assert.deepEqual(rules.active, ['LOOKING_AWAY']);
    });
  });

  describe('debounce', () => {
    const event = (type: ViolationType, at: number, durationMs = 0) => ({ type, occurredAt: T0 + at, durationMs });

    it('lets the first of a type through and merges the rest of its 5 s window into one', () => {
      const debouncer = new Debouncer();
      assert.equal(debouncer.push(event('TAB_SWITCH', 0, 100)).length, 1);
      assert.deepEqual(debouncer.push(event('TAB_SWITCH', 1000, 200)), []);
      assert.deepEqual(debouncer.push(event('TAB_SWITCH', 2000, 300)), []);
      assert.equal(debouncer.push(event('CONTEXT_MENU', 2500)).length, 1, 'other types are not held');
      assert.deepEqual(debouncer.due(T0 + 4999), [], 'the window is still open');
      const [merged, ...rest] = debouncer.due(T0 + 5000);
      assert.equal(rest.length, 0);
      assert.deepEqual({ ...merged, metadata: merged!.metadata }, { type: 'TAB_SWITCH', occurredAt: T0 + 1000, durationMs: 500, metadata: { merged: 2 } });
      assert.deepEqual(debouncer.due(T0 + 20_000), [], 'released once');
    });

    it('lets an event through again once 5 s have passed', () => {
      const debouncer = new Debouncer();
      debouncer.push(event('COPY_PASTE', 0));
      assert.equal(debouncer.push(event('COPY_PASTE', 5000)).length, 1);
    });
  });

  describe('delivery queue', () => {
    class MemoryStore implements KeyValueStore {
      readonly map = new Map<string, string>();
      getItem = (key: string) => this.map.get(key) ?? null;
      setItem = (key: string, value: string) => void this.map.set(key, value);
    }
    const detected = (type: ViolationType) => ({ type, occurredAt: Date.now(), durationMs: 0 });
    const RETRY_MS = 5;
    /** A turn of the event loop: a delivery the retry timer started has settled by then. */
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    // Retry timers run on a clock the tests move.
    beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
    afterEach(() => mock.timers.reset());

    it('numbers events, sends them in batches and forgets them once acknowledged', async () => {
      const sent: number[][] = [];
      const acked: number[] = [];
      const queue = new EventQueue({
        store: new MemoryStore(),
        sessionId: 's1',
        sessionStartedAt: Date.now(),
        batchSize: 2,
        send: async (events) => {
          sent.push(events.map((e) => e.seq));
          return { accepted: events.map((e) => e.seq), rejected: [] };
        },
        onAcknowledged: (e) => acked.push(e.seq),
      });
      for (const type of ['TAB_SWITCH', 'COPY_PASTE', 'CONTEXT_MENU'] as const) queue.add(detected(type));
      await queue.flush();
      const seqs = acked;
      assert.equal(new Set(seqs).size, 3, 'each event has its own seq');
      assert.deepEqual(
        [...seqs].sort((a, b) => a - b),
        seqs,
        'increasing',
      );
      assert.ok(sent.every((batch) => batch.length <= 2));
      assert.equal(queue.pending.length, 0);
    });

    it('keeps events through failed sends and a reload, and retries until acknowledged', async () => {
      const store = new MemoryStore();
      let up = false;
      const delivered: QueuedEvent[] = [];
      const send = async (events: QueuedEvent[]): Promise<DeliveryResult> => {
        if (!up) throw new Error('socket closed');
        delivered.push(...events);
        return { accepted: events.map((e) => e.seq), rejected: [] };
      };
      const first = new EventQueue({ store, sessionId: 's2', sessionStartedAt: Date.now(), send, retryMs: RETRY_MS });
      first.add(detected('TAB_SWITCH'));
      first.add(detected('WINDOW_BLUR'));
      await first.flush();
      assert.equal(first.pending.length, 2, 'kept while the server is away');
      first.close(); // the page is reloaded

      const second = new EventQueue({ store, sessionId: 's2', sessionStartedAt: Date.now(), send, retryMs: RETRY_MS });
      assert.deepEqual(
        second.pending.map((e) => e.type),
        ['TAB_SWITCH', 'WINDOW_BLUR'],
        'restored from storage',
      );
      const third = second.add(detected('COPY_PASTE'));
      assert.ok(third.seq > second.pending[1]!.seq, 'numbering goes on after the restored events');
      await second.flush(); // fails: the server is still away
      up = true;
      mock.timers.tick(RETRY_MS);
      await nextTurn();
      assert.deepEqual(
        delivered.map((e) => e.type),
        ['TAB_SWITCH', 'WINDOW_BLUR', 'COPY_PASTE'],
      );
      assert.equal(second.pending.length, 0);
      second.close();
    });

    it('drops events the server refuses for good, keeps rate-limited ones', async () => {
      let limited = false;
      const refused: string[] = [];
      const queue = new EventQueue({
        store: new MemoryStore(),
        sessionId: 's3',
        sessionStartedAt: Date.now(),
        retryMs: RETRY_MS,
        send: async (events) => {
          const result: DeliveryResult = { accepted: [], rejected: [] };
          for (const event of events) {
            if (event.type === 'AUDIO_DETECTED') result.rejected.push({ seq: event.seq, code: 'NOT_MONITORED', message: 'audio is not monitored' });
            else if (!limited) {
              limited = true;
              result.rejected.push({ seq: event.seq, code: 'RATE_LIMITED', message: 'later' });
            } else result.accepted.push(event.seq);
          }
          return result;
        },
        onRejected: (_e, reason) => refused.push(reason.code),
      });
      queue.add(detected('AUDIO_DETECTED'));
      await queue.flush();
      queue.add(detected('TAB_SWITCH'));
      await queue.flush();
      assert.deepEqual(refused, ['NOT_MONITORED']);
      assert.deepEqual(
        queue.pending.map((e) => e.type),
        ['TAB_SWITCH'],
        'kept for a retry',
      );
      mock.timers.tick(RETRY_MS);
      await nextTurn();
      assert.equal(queue.pending.length, 0);
      queue.close();
    });

    it('never reuses a seq a lost page may have used: numbering starts from the time since the session began', () => {
      const startedAt = Date.now() - 60_000;
      const queue = new EventQueue({ store: new MemoryStore(), sessionId: 's4', sessionStartedAt: startedAt, send: async () => ({ accepted: [], rejected: [] }) });
      const seq = queue.add(detected('TAB_SWITCH')).seq;
      assert.ok(seq >= 6000 && seq < 2 ** 31, `seq ${seq}`);
      queue.close();
    });
  });

  it('reads yaw, pitch and roll from a column-major transformation matrix', () => {
    const yaw = (degrees: number) => {
      const r = (degrees * Math.PI) / 180;
      // Rotation about Y, column-major 4×4.
      return [Math.cos(r), 0, -Math.sin(r), 0, 0, 1, 0, 0, Math.sin(r), 0, Math.cos(r), 0, 0, 0, -50, 1];
    };
    const pose = headPose(yaw(40));
    assert.ok(Math.abs(pose.yaw - 40) < 1e-9, `yaw ${pose.yaw}`);
    assert.ok(Math.abs(pose.pitch) < 1e-9 && Math.abs(pose.roll) < 1e-9);
    const identity = headPose([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    assert.deepEqual(
      [identity.yaw, identity.pitch, identity.roll].map((v) => Math.abs(v)),
      [0, 0, 0],
    );
  });

  it('counts overlapping boxes from several views of a frame as one face', () => {
    const face = { x: 100, y: 100, width: 90, height: 90, score: 0.9 };
    assert.equal(countDistinct([face, { ...face, x: 105, score: 0.8 }]), 1);
    assert.equal(countDistinct([face, { ...face, x: 400 }]), 2);
    assert.equal(countDistinct([]), 0);
  });
});
