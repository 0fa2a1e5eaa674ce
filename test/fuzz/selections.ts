// Selection sets built from the output types, to a bounded depth: a random subset of each
// object's fields (with hostile arguments for the connections), every member of a union through
// inline fragments, and now and then an alias, a named fragment or an @include.
import { getNamedType, isAbstractType, isLeafType, isObjectType, type GraphQLField, type GraphQLObjectType, type GraphQLOutputType, type GraphQLSchema } from 'graphql';
import { InputValues, OMITTED, printLiteral } from './input-values.ts';
import type { Random } from './random.ts';

export class Selections {
  readonly #schema: GraphQLSchema;
  readonly #random: Random;
  readonly #inputs: InputValues;
  readonly #maxDepth: number;
  /** Named fragments the selections spread; the operation appends them to the document. */
  readonly fragments: string[] = [];
  #aliases = 0;

  constructor(schema: GraphQLSchema, random: Random, inputs: InputValues, maxDepth: number) {
    this.#schema = schema;
    this.#random = random;
    this.#inputs = inputs;
    this.#maxDepth = maxDepth;
  }

  /** `{ … }` for a field of `type`, or '' when it is a leaf. */
  of(type: GraphQLOutputType, depth = 1): string {
    const named = getNamedType(type);
    if (isLeafType(named)) return '';
    if (isAbstractType(named)) {
      const members = this.#schema.getPossibleTypes(named);
      const chosen = this.#random.sample(members, this.#random.int(1, members.length));
      return `{ __typename ${chosen.map((member) => `... on ${member.name} ${this.#objectSelection(member, depth)}`).join(' ')} }`;
    }
    if (!isObjectType(named)) throw new Error(`cannot select from ${String(named)}`);
    const selection = this.#objectSelection(named, depth);
    if (this.#random.chance(0.08)) {
      const name = `F${this.fragments.length}`;
      this.fragments.push(`fragment ${name} on ${named.name} ${selection}`);
      return `{ ...${name} }`;
    }
    return selection;
  }

  #objectSelection(type: GraphQLObjectType, depth: number): string {
    const random = this.#random;
    const parts: string[] = [];
    for (const field of Object.values(type.getFields())) {
      if (!random.chance(0.55)) continue;
      const leaf = isLeafType(getNamedType(field.type));
      if (!leaf && depth >= this.#maxDepth) continue;
      parts.push(this.#field(field, depth));
    }
    if (parts.length === 0 || random.chance(0.1)) parts.push('__typename');
    if (random.chance(0.05)) parts.push(`... @include(if: ${random.chance(0.5)}) { __typename }`);
    return `{ ${parts.join(' ')} }`;
  }

  #field(field: GraphQLField<unknown, unknown>, depth: number): string {
    const args = field.args
      .map((arg) => {
        const value = this.#inputs.of(arg.type, arg.name);
        return value === OMITTED ? undefined : `${arg.name}: ${printLiteral(value, arg.type)}`;
      })
      .filter((arg) => arg !== undefined);
    const alias = this.#random.chance(0.05) ? `a${this.#aliases++}: ` : '';
    return `${alias}${field.name}${args.length ? `(${args.join(', ')})` : ''} ${this.of(field.type, depth + 1)}`.trimEnd();
  }
}
