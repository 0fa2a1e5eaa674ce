// The hostile values a fuzz case is filled with, per GraphQL scalar: unicode edge cases, NUL,
// empty and megabyte strings, out-of-range and non-finite numbers, malformed dates and JSON, and
// IDs that are invalid, unknown or another org's. Each generator also returns sane values some
// of the time, so cases get past validation and reach the code behind it.
import type { Random } from './random.ts';

/** Real values of the fuzzed server: its orgs' IDs, emails and tokens (filled in by the world). */
export interface KnownValues {
  ids: string[];
  emails: string[];
  tokens: string[];
}

/**
 * A number JSON cannot carry (1e400 parses as Infinity, -0 as negative zero): a placeholder
 * string that the HTTP transport writes as the raw JSON number. Over graphql-ws it stays a
 * string, a wrong type of its own.
 */
export const RAW_NUMBERS = ['1e400', '-1e400', '-0', '1e-400', '123456789012345678901234567890'] as const;
const RAW_MARK = '\u0001raw:';
export const rawNumber = (text: (typeof RAW_NUMBERS)[number]): string => `${RAW_MARK}${text}\u0001`;
/** JSON text with each raw-number placeholder replaced by the number itself. */
export function withRawNumbers(json: string): string {
  return json.replace(/"\\u0001raw:([^"\\]+)\\u0001"/g, '$1');
}
/** The raw number a placeholder stands for, or undefined. */
export function rawNumberOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.startsWith(RAW_MARK) && value.endsWith('\u0001') ? value.slice(RAW_MARK.length, -1) : undefined;
}

export const MEGABYTE = 1024 * 1024;

/** Strings that break naive code: encodings, control characters, injections, sizes at the limits. */
const HOSTILE_STRINGS: readonly (() => string)[] = [
  () => '',
  () => ' ',
  () => '\u0000',
  () => 'before\u0000after',
  () => '\ud800',
  () => 'lone low \udc00 surrogate',
  () => 'ends in a high surrogate \ud83d',
  () => '\u202eevil.exe\u202c txt',
  () => 'زمان مقابلة \u200f\u061c',
  () => '\u200b\u200c\u200d\u2060\ufeff',
  () => '👩‍👩‍👧‍👦🏳️‍🌈🧑🏽‍💻',
  () => '😀'.repeat(300),
  () => 'e\u0301'.repeat(2000),
  () => 'Z̸̡̛̛̪̼͎̬͇͉̫̻̗̮̟͍̤̊̏̈́̓̍̀̊̂̑̈́̕͘a̷l̴g̸o̵',
  () => '\r\n\t\u000b\u000c\u0085\u2028\u2029',
  () => '<script>alert(1)</script>',
  () => "' OR '1'='1'; --",
  () => '${jndi:ldap://x/a}{{7*7}}%s%n%x',
  () => '../../../../etc/passwd',
  () => '\\',
  () => '"',
  () => 'null',
  () => '__proto__',
  () => 'constructor',
  () => '-1',
  () => 'NaN',
  () => 'Infinity',
  () => '1e309',
  () => 'x'.repeat(201),
  () => 'y'.repeat(501),
  () => 'z'.repeat(10_000),
  () => 'm'.repeat(MEGABYTE),
  () => 'n'.repeat(MEGABYTE - 4096),
  () => '€'.repeat(MEGABYTE / 3),
  () => '\u0000'.repeat(50_000),
];

const SANE_STRINGS = ['Senior backend engineer', 'Ada Lovelace', 'hello', 'correct horse battery', 'Ça va? Ünïcødé ✓'];

const HOSTILE_EMAILS = [
  '',
  'no-at-sign',
  '@example.com',
  'a@',
  'a@b',
  'a@@example.com',
  'A@EXAMPLE.COM',
  ' spaced@example.com ',
  'ü@exämple.com',
  'a+tag@example.com',
  `${'l'.repeat(300)}@example.com`,
  'a\u0000@example.com',
  '"quoted"@example.com',
];

const HOSTILE_URLS = [
  'https://hooks.example.com/proctor',
  'http://127.0.0.1:4000/graphql',
  'http://localhost/x',
  'http://[::1]/',
  'http://2130706433/',
  'http://169.254.169.254/latest/meta-data/',
  'http://0.0.0.0/',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'gopher://example.com/',
  'https://ex\u0000ample.com/',
  'https://xn--80ak6aa92e.com/',
  'https://例え.jp/フック',
  'https://user:pass@example.com:99999/',
  'not a url',
  `https://example.com/${'p'.repeat(5000)}`,
];

const HOSTILE_IDS = [
  '',
  '0',
  '-1',
  'not-a-uuid',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
  'a0eebc999c0b4ef8bb6d6bb9bd380a11',
  'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11\u0000',
  "'; drop table interviews; --",
  'ptk_',
  'ptk_' + 'a'.repeat(60),
  'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'producer-1',
];

const DATES = [
  () => new Date().toISOString(),
  () => new Date(Date.now() + 60 * 60 * 1000).toISOString(),
  () => '2026-12-01T14:00:00Z',
  () => '2026-13-45T99:99:99Z',
  () => '2026-02-30T00:00:00Z',
  () => '0000-01-01T00:00:00Z',
  () => '9999-12-31T23:59:59.999Z',
  () => '+275760-09-13T00:00:00.000Z',
  () => '-271821-04-20T00:00:00.000Z',
  () => '2026-12-01T14:00:00',
  () => '2026-12-01T14:00:00+14:00',
  () => '2026-12-01',
  () => '2026-12-01T14:00:00Z\u0000',
  () => 'yesterday',
  () => '',
];

const INTS: readonly unknown[] = [
  0,
  1,
  -1,
  2,
  5,
  35,
  90,
  99,
  100,
  101,
  3650,
  3651,
  2147483647,
  2147483648,
  -2147483648,
  -2147483649,
  Number.MAX_SAFE_INTEGER,
  1e21,
  1.5,
  -0.0001,
];
const FLOATS: readonly unknown[] = [0, 0.5, 1, -1, 1.0000001, 2.5, 1e16, 1e308, -1e308, 5e-324, Number.MAX_VALUE];

/** Wrong JSON types for any position. */
const WRONG_TYPES: readonly (() => unknown)[] = [
  () => null,
  () => true,
  () => 42,
  () => -0.5,
  () => 'text',
  () => [],
  () => [1, 'two', null],
  () => ({}),
  () => ({ nested: { deeper: [] } }),
];

export class HostileValues {
  readonly #random: Random;
  readonly #known: KnownValues;

  constructor(random: Random, known: KnownValues) {
    this.#random = random;
    this.#known = known;
  }

  string(hint: string): string {
    const random = this.#random;
    if (/email/i.test(hint)) return random.chance(0.5) && this.#known.emails.length ? random.pick(this.#known.emails) : random.pick(HOSTILE_EMAILS);
    if (/url/i.test(hint)) return random.pick(HOSTILE_URLS);
    if (/token|after|before|cursor/i.test(hint) && random.chance(0.5)) return this.token();
    return random.chance(0.3) ? random.pick(SANE_STRINGS) : random.pick(HOSTILE_STRINGS)();
  }

  id(): string {
    const random = this.#random;
    return random.weighted<() => string>([
      [6, () => random.pick(this.#known.ids)],
      [2, () => random.pick(HOSTILE_IDS)],
      [1, () => crypto.randomUUID()],
      [1, () => random.pick(HOSTILE_STRINGS)()],
    ])();
  }

  token(): string {
    const random = this.#random;
    return random.chance(0.6) && this.#known.tokens.length
      ? random.pick(this.#known.tokens)
      : random.pick([...HOSTILE_IDS, Buffer.from(JSON.stringify({ id: random.pick(this.#known.ids) })).toString('base64')]);
  }

  int(): unknown {
    return this.#random.chance(0.15) ? rawNumber(this.#random.pick(RAW_NUMBERS)) : this.#random.pick(INTS);
  }

  float(): unknown {
    return this.#random.chance(0.2) ? rawNumber(this.#random.pick(RAW_NUMBERS)) : this.#random.pick(FLOATS);
  }

  boolean(): unknown {
    return this.#random.chance(0.9) ? this.#random.chance(0.5) : this.#random.pick(['true', 0, 1]);
  }

  dateTime(): string {
    return this.#random.pick(DATES)();
  }

  /** A JSON object for JSONObject arguments: plausible mediasoup parameters, deep, huge, or odd keys. */
  jsonObject(): unknown {
    const random = this.#random;
    return random.weighted<() => unknown>([
      [2, () => ({})],
      [3, () => plausibleMediaParameters(random)],
      // Past the 8 levels and 2 KB metadata allows, yet small enough that a list of 1000 of them
      // is not the fuzzer's own event-loop stall (server and fuzzer share the process).
      [1, () => nest(random.int(9, 200))],
      [1, () => Object.fromEntries(Array.from({ length: random.int(100, 500) }, (_, i) => [`k${i}`, i]))],
      [1, () => ({ ['key\u0000']: 'v', ['\ud800']: '\udfff', text: random.pick(HOSTILE_STRINGS)() })],
      [1, () => JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}')],
      [1, () => ({ big: 'b'.repeat(random.pick([3000, MEGABYTE - 1000])) })],
      [1, () => random.pick(WRONG_TYPES)()],
    ])();
  }

  wrongType(): unknown {
    return this.#random.pick(WRONG_TYPES)();
  }
}

function nest(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

/** Shapes mediasoup reads (DTLS fingerprints, RTP codecs and encodings) with hostile members. */
function plausibleMediaParameters(random: Random): Record<string, unknown> {
  const odd = () => random.pick<unknown>([null, -1, 1e308, 'x', '', {}, [], 'sha-256', 'VP8', 'video/VP8', 90000, 96, true]);
  return random.pick<() => Record<string, unknown>>([
    () => ({
      role: random.pick(['auto', 'client', 'server', 'bogus', odd()]),
      fingerprints: random.chance(0.5) ? [{ algorithm: random.pick(['sha-256', 'md5', odd()]), value: random.pick(['AB:CD', '', odd()]) }] : odd(),
    }),
    () => ({
      mid: random.pick(['0', odd()]),
      codecs: random.chance(0.7)
        ? [
            {
              mimeType: random.pick(['video/VP8', 'audio/opus', 'video/H264', 'text/plain', odd()]),
              payloadType: odd(),
              clockRate: odd(),
              channels: odd(),
              parameters: random.chance(0.5) ? {} : odd(),
              rtcpFeedback: random.chance(0.5) ? [] : odd(),
            },
          ]
        : odd(),
      headerExtensions: random.chance(0.5) ? [] : odd(),
      encodings: random.chance(0.6) ? [{ ssrc: odd(), rtx: random.chance(0.3) ? { ssrc: odd() } : undefined, maxBitrate: odd(), scalabilityMode: odd() }] : odd(),
      rtcp: random.chance(0.5) ? { cname: odd(), reducedSize: odd() } : odd(),
    }),
    () => ({
      codecs: random.chance(0.7)
        ? [
            {
              kind: random.pick(['audio', 'video', odd()]),
              mimeType: random.pick(['audio/opus', 'video/VP8', odd()]),
              clockRate: odd(),
              preferredPayloadType: odd(),
              channels: odd(),
            },
          ]
        : odd(),
      headerExtensions: random.chance(0.5) ? [] : odd(),
    }),
  ])();
}
