// Input checks shared by the services. Each throws a ValidationError naming the field.
import { ValidationError } from './errors.ts';

// Deliberately simple: one @, a dot in the domain, no spaces. Real verification is the invite mail.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function email(field: string, value: string): string {
  const trimmed = value.trim().toLowerCase();
  if (trimmed.length > 254 || !EMAIL.test(trimmed) || unstorableText(trimmed))
    throw new ValidationError(field, `${JSON.stringify(value.slice(0, 80))} is not a valid email address`);
  return trimmed;
}

/** Whether PostgreSQL can take the string as text: no NUL character, no lone UTF-16 surrogate. */
export function isStorableText(value: string): boolean {
  return unstorableText(value) === undefined;
}

export function text(field: string, value: string, { min = 1, max }: { min?: number; max: number }): string {
  const problem = unstorableText(value);
  if (problem) throw new ValidationError(field, problem);
  const trimmed = value.trim();
  if (trimmed.length < min) throw new ValidationError(field, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
  if (trimmed.length > max) throw new ValidationError(field, `must be at most ${max} characters (got ${trimmed.length})`);
  return trimmed;
}

/** Password length bounds, in characters. */
export const PASSWORD_LENGTH = { min: 8, max: 256 } as const;

export function password(field: string, value: string): string {
  if (value.length < PASSWORD_LENGTH.min) throw new ValidationError(field, `must be at least ${PASSWORD_LENGTH.min} characters`);
  if (value.length > PASSWORD_LENGTH.max) throw new ValidationError(field, `must be at most ${PASSWORD_LENGTH.max} characters`);
  return value;
}

export function integerInRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new ValidationError(field, `must be a whole number from ${min} to ${max}`);
  return value;
}

export function oneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new ValidationError(field, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

export function numberInRange(field: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) throw new ValidationError(field, `must be a number from ${min} to ${max}`);
  return value;
}

/**
 * JSON the database can store as jsonb and read back as sent: no NUL character (jsonb refuses
 * \u0000) and no lone UTF-16 surrogate (not Unicode: refused too) in any key or string, nested
 * at most `maxDepth` levels, and at most `maxBytes` once encoded.
 */
export function storableJson(field: string, value: unknown, { maxBytes, maxDepth }: { maxBytes: number; maxDepth: number }): void {
  const encoded = JSON.stringify(value);
  if (Buffer.byteLength(encoded) > maxBytes) throw new ValidationError(field, `must be at most ${maxBytes} bytes of JSON`);
  const visit = (node: unknown, path: string, depth: number): void => {
    if (typeof node === 'string') {
      const problem = unstorableText(node);
      if (problem) throw new ValidationError(path, problem);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    if (depth >= maxDepth) throw new ValidationError(path, `nests deeper than ${maxDepth} levels`);
    for (const [key, child] of Object.entries(node)) {
      const problem = unstorableText(key);
      if (problem) throw new ValidationError(path, `has a key that ${problem}`);
      visit(child, Array.isArray(node) ? `${path}[${key}]` : `${path}.${key}`, depth + 1);
    }
  };
  visit(value, field, 0);
}

function unstorableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (!text.isWellFormed()) return 'contains a lone UTF-16 surrogate (not Unicode text)';
  return undefined;
}
