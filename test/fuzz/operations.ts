// One fuzz case's GraphQL operation, generated from the committed SDL: a root field of Query,
// Mutation or Subscription, its arguments as variables or inline literals, a selection set from
// its output type, and sometimes a shape that strains the limits (many aliases, a fragment
// bomb, a wide selection) or, over HTTP, a body that is not a well-formed request at all.
import { readFileSync } from 'node:fs';
import { buildSchema, type GraphQLArgument, type GraphQLField, type GraphQLSchema } from 'graphql';
import { nestedFragments } from '../support/hostile-queries.ts';
import { HostileValues, type KnownValues } from './hostile-values.ts';
import { InputValues, OMITTED, printLiteral } from './input-values.ts';
import type { Random } from './random.ts';
import { Selections } from './selections.ts';

export type OperationKind = 'query' | 'mutation' | 'subscription';

export interface FuzzOperation {
  kind: OperationKind;
  /** `Mutation.createInterview`: what the summary counts by. */
  field: string;
  /** How the document was shaped (plain, aliases, fragments…), for the report. */
  shape: string;
  query: string;
  variables: Record<string, unknown>;
  /** Over HTTP, a body sent as is instead of `{ query, variables }`. */
  rawBody?: string;
}

export function loadSchema(path = new URL('../../schema/schema.graphql', import.meta.url)): GraphQLSchema {
  return buildSchema(readFileSync(path, 'utf8'));
}

/** Root fields of the schema, each with its operation kind. */
export function rootFields(schema: GraphQLSchema): { kind: OperationKind; field: GraphQLField<unknown, unknown> }[] {
  const roots: [OperationKind, ReturnType<GraphQLSchema['getQueryType']>][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([kind, type]) => Object.values(type?.getFields() ?? {}).map((field) => ({ kind, field })));
}

const ROOT_TYPE: Record<OperationKind, string> = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };

/** Bodies that are not a well-formed GraphQL request (the HTTP layer must refuse them cleanly). */
const MALFORMED_BODIES = [
  '{"query": "{ me { org { id } } }", "variables": {"x": }',
  '{"query": "{ __typename }"',
  '{"query": 1}',
  '{"query": null}',
  '{"query": ["{ __typename }"]}',
  '[{"query": "{ __typename }"}, {"query": "{ __typename }"}]',
  '{"query": "{ __typename }", "variables": "not an object"}',
  '{"query": "{ __typename }", "variables": [1, 2]}',
  '{"query": "{ __typename }", "operationName": {"x": 1}}',
  '{"query": "{ __typename }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}',
  '\ufeff{"query": "{ __typename }"}',
  'null',
  '"just a string"',
  '',
  '{"query": "\\ud800"}',
  '{"query": "{ __typename }", "variables": {"__proto__": {"polluted": true}}}',
];

export class OperationGenerator {
  readonly #schema: GraphQLSchema;
  readonly #roots: ReturnType<typeof rootFields>;
  readonly #known: KnownValues;

  constructor(schema: GraphQLSchema, known: KnownValues) {
    this.#schema = schema;
    this.#roots = rootFields(schema);
    this.#known = known;
  }

  get rootFieldCount(): number {
    return this.#roots.length;
  }

  /** The operation of one case; `http` allows bodies that only HTTP can carry. */
  generate(random: Random, http: boolean): FuzzOperation {
    if (http && random.chance(0.02)) return { kind: 'query', field: 'malformed body', shape: 'malformed', query: '', variables: {}, rawBody: random.pick(MALFORMED_BODIES) };
    const { kind, field } = random.pick(this.#roots);
    const inputs = new InputValues(random, new HostileValues(random, this.#known));
    const selections = new Selections(this.#schema, random, inputs, random.int(1, 6));
    const useVariables = random.chance(0.65);
    const variables: Record<string, unknown> = {};
    const definitions: string[] = [];
    const args: string[] = [];
    for (const arg of field.args) {
      const value = inputs.of(arg.type, arg.name);
      if (useVariables) {
        definitions.push(`$${arg.name}: ${declaredType(random, arg)}`);
        args.push(`${arg.name}: $${arg.name}`);
        if (value !== OMITTED) variables[arg.name] = value;
      } else if (value !== OMITTED) {
        args.push(`${arg.name}: ${printLiteral(value, arg.type)}`);
      }
    }
    const call = `${field.name}${args.length ? `(${args.join(', ')})` : ''} ${selections.of(field.type)}`.trimEnd();
    const shape = random.weighted<string>([
      [85, 'plain'],
      [5, 'aliases'],
      [3, 'fragment bomb'],
      [3, 'wide'],
      [4, 'named'],
    ]);
    const body = this.#shaped(random, shape, kind, call);
    const header = `${kind}${shape === 'named' ? ' Fuzz' : ''}${definitions.length ? `(${definitions.join(', ')})` : ''}`;
    const query = [`${header} { ${body} }`, ...selections.fragments, ...(shape === 'fragment bomb' ? fragmentBomb(random, kind) : [])].join('\n');
    return { kind, field: `${ROOT_TYPE[kind]}.${field.name}`, shape, query, variables };
  }

  #shaped(random: Random, shape: string, kind: OperationKind, call: string): string {
    switch (shape) {
      // The same field under many aliases: past the alias limit (15) it must be refused, not run.
      case 'aliases':
        return Array.from({ length: random.int(2, 40) }, (_, i) => `x${i}: ${call}`).join(' ');
      case 'fragment bomb':
        return `${call} ...Bomb0`;
      case 'wide':
        return `${call} ${'__typename '.repeat(random.pick([50, 600, 20_000]))}`;
      default:
        return kind === 'subscription' || !random.chance(0.1) ? call : `${call} __typename`;
    }
  }
}

/** The argument's type, or now and then a different one: variables must match their use. */
function declaredType(random: Random, arg: GraphQLArgument): string {
  if (!random.chance(0.03)) return String(arg.type);
  return random.pick(['String', 'Int!', '[ID!]!', 'JSONObject', 'Boolean', String(arg.type).replace(/!$/, '')]);
}

/** Fragments that spread each other twice per level, on the root type of the operation. */
function fragmentBomb(random: Random, kind: OperationKind): string[] {
  const levels = random.int(3, 30);
  return nestedFragments(levels)
    .split('\n')
    .slice(1)
    .map((line) => line.replaceAll(' on Query ', ` on ${ROOT_TYPE[kind]} `).replaceAll('F', 'Bomb'));
}
