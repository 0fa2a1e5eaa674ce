// HTTP Range (RFC 9110 §14) for one file: the single byte range a <video> asks for when it seeks.
// Several ranges in one request are answered with the whole file (allowed, and no browser needs more).

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/** The range to send; undefined: the whole file (no Range header, or several ranges); 'unsatisfiable' → 416. */
export function parseByteRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const spec = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
  if (!spec) return header.startsWith('bytes=') && header.includes(',') ? undefined : 'unsatisfiable';
  const [, first = '', last = ''] = spec;
  if (first === '' && last === '') return 'unsatisfiable';
  if (first === '') {
    // A suffix: the last N bytes.
    const length = Number(last);
    if (length === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(first);
  if (!Number.isSafeInteger(start) || start >= size) return 'unsatisfiable';
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (!Number.isSafeInteger(end) || end < start) return 'unsatisfiable';
  return { start, end };
}
