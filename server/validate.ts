// Input checks shared by the services. Each throws a ValidationError naming the field.
import { ValidationError } from './errors.ts';

// Deliberately simple: one @, a dot in the domain, no spaces. Real verification is the invite mail.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function email(field: string, value: string): string {
  const trimmed = value.trim().toLowerCase();
  if (trimmed.length > 254 || !EMAIL.test(trimmed)) throw new ValidationError(field, `"${value.slice(0, 80)}" is not a valid email address`);
  return trimmed;
}

export function text(field: string, value: string, { min = 1, max }: { min?: number; max: number }): string {
  const trimmed = value.trim();
  if (trimmed.length < min) throw new ValidationError(field, min === 1 ? 'must not be empty' : `must be at least ${min} characters`);
  if (trimmed.length > max) throw new ValidationError(field, `must be at most ${max} characters (got ${trimmed.length})`);
  return trimmed;
}

export function password(field: string, value: string): string {
  if (value.length < 8) throw new ValidationError(field, 'must be at least 8 characters');
  if (value.length > 256) throw new ValidationError(field, 'must be at most 256 characters');
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
