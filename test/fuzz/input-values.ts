// Values for GraphQL arguments, built from their input types: mostly well-formed around hostile
// leaves, sometimes null where non-null is required, missing or unknown input fields, long lists
// or the wrong JSON type altogether. Also prints a value as a GraphQL literal, for cases that
// inline their arguments instead of sending variables.
import { getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType } from 'graphql';
import { rawNumberOf, type HostileValues } from './hostile-values.ts';
import type { Random } from './random.ts';

/** Marks an input field left out (as opposed to an explicit null). */
export const OMITTED = Symbol('omitted');

export class InputValues {
  readonly #random: Random;
  readonly #hostile: HostileValues;

  constructor(random: Random, hostile: HostileValues) {
    this.#random = random;
    this.#hostile = hostile;
  }

  /** A value for `type`; `hint` is the argument or field name (email, url, token…). */
  of(type: GraphQLInputType, hint: string, depth = 0): unknown {
    const random = this.#random;
    if (random.chance(0.04)) return this.#hostile.wrongType();
    if (isNonNullType(type)) return random.chance(0.03) ? null : this.of(type.ofType, hint, depth);
    if (random.chance(0.08)) return random.chance(0.5) ? null : OMITTED;
    if (isListType(type)) {
      const length = random.weighted([
        [3, 0],
        [6, 1],
        [5, random.int(2, 6)],
        [1, random.pick([100, 101, 1000])],
      ]);
      // A long list repeats a few values: what matters is its length, not 1000 different values.
      const distinct = Array.from({ length: Math.min(length, 8) }, () => this.of(type.ofType, hint, depth + 1));
      return Array.from({ length }, (_, i) => distinct[i % distinct.length]);
    }
    if (isInputObjectType(type)) {
      const value: Record<string, unknown> = {};
      for (const field of Object.values(type.getFields())) {
        if (!isNonNullType(field.type) && random.chance(0.4)) continue;
        const fieldValue = depth > 6 ? null : this.of(field.type, field.name, depth + 1);
        if (fieldValue !== OMITTED) value[field.name] = fieldValue;
      }
      if (random.chance(0.04)) value[random.pick(['unknownField', '__proto__', 'constructor'])] = this.#hostile.wrongType();
      return value;
    }
    if (isEnumType(type)) {
      const values = type.getValues().map((v) => v.name);
      return random.chance(0.9) ? random.pick(values) : random.pick(['', 'admin', `${values[0]}_`, 'null', 1]);
    }
    if (isScalarType(type)) return this.#scalar(type.name, hint);
    throw new Error(`no value generator for ${String(type)}`);
  }

  #scalar(name: string, hint: string): unknown {
    const hostile = this.#hostile;
    switch (name) {
      case 'String':
        return hostile.string(hint);
      case 'ID':
        return hostile.id();
      case 'Int':
        return hostile.int();
      case 'Float':
        return hostile.float();
      case 'Boolean':
        return hostile.boolean();
      case 'DateTime':
        return hostile.dateTime();
      case 'JSONObject':
        return hostile.jsonObject();
      default:
        throw new Error(`no value generator for the scalar ${name}`);
    }
  }
}

/** `value` as a GraphQL literal of `type` (enum names bare, raw numbers as written). */
export function printLiteral(value: unknown, type: GraphQLInputType): string {
  const named = getNamedType(type);
  const raw = rawNumberOf(value);
  if (raw !== undefined) return raw;
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) {
    const itemType = isNonNullType(type) ? type.ofType : type;
    const inner = isListType(itemType) ? itemType.ofType : itemType;
    return `[${value.map((item) => printLiteral(item, inner)).join(', ')}]`;
  }
  if (typeof value === 'object') {
    const fields = isInputObjectType(named) ? named.getFields() : {};
    const entries = Object.entries(value as Record<string, unknown>).map(([key, item]) => {
      const fieldType = fields[key]?.type ?? named;
      // An object key that is not a GraphQL name makes a document that does not parse, a case of its own.
      return `${key}: ${printLiteral(item, fieldType)}`;
    });
    return `{${entries.join(', ')}}`;
  }
  if (typeof value === 'string' && isEnumType(named) && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value)) return value;
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}
