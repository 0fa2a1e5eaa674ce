// The shared contract (contract/) held against the GraphQL schema the server serves, and the rule
// that keeps it shared: the pages and the CLI reach outside themselves only for the contract.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphQLEnumType, GraphQLObjectType, GraphQLUnionType, Kind, parse, validate, type FieldNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { schema } from '../schema/index.ts';
import { ACCOMMODATIONS_SELECTION } from '../contract/accommodations.ts';
import { AUDIO_POLICIES, INTERVIEW_RULES_SELECTION, INTERVIEW_STATUSES } from '../contract/interview.ts';
import { CANDIDATE_MESSAGE_KINDS, INTERVIEW_EVENTS_SUBSCRIPTION } from '../contract/live-events.ts';
import { REVIEW_DECISIONS, REVIEW_STATUSES, REVIEW_VERDICTS } from '../contract/review.ts';
import { SEVERITIES, VIOLATION_TYPES } from '../contract/violations.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function valid(document: string): string[] {
  return validate(schema, parse(document)).map((error) => error.message);
}

function enumValues(name: string): string[] {
  const type = schema.getType(name);
  assert.ok(type instanceof GraphQLEnumType, `${name} is an enum`);
  return type
    .getValues()
    .map((value) => value.name)
    .sort();
}

function fieldNames(name: string): string[] {
  const type = schema.getType(name);
  assert.ok(type instanceof GraphQLObjectType, `${name} is an object type`);
  return Object.keys(type.getFields()).sort();
}

function selected(selectionSet: SelectionSetNode): string[] {
  return selectionSet.selections.flatMap((selection) => (selection.kind === Kind.FIELD ? [selection.name.value] : [])).sort();
}

/** The selection set of the first field of an operation's (or of a bare `{ field … }`) document. */
function firstFieldSelection(document: string): SelectionSetNode {
  const operation = parse(document).definitions[0] as OperationDefinitionNode;
  return (operation.selectionSet.selections[0] as FieldNode).selectionSet!;
}

/** Every relative import and re-export specifier of the TypeScript files under `folder`. */
async function importsUnder(folder: string): Promise<{ file: string; target: string }[]> {
  const found: { file: string; target: string }[] = [];
  for (const entry of await readdir(join(ROOT, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const file = join(entry.parentPath, entry.name);
    const source = await readFile(file, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      found.push({ file: relative(ROOT, file), target: relative(ROOT, join(entry.parentPath, specifier!)) });
    }
  }
  return found;
}

function outside(imports: { file: string; target: string }[], ...allowed: string[]): string[] {
  return imports.filter(({ target }) => !allowed.some((folder) => target.startsWith(`${folder}/`))).map(({ file, target }) => `${file} → ${target}`);
}

describe('shared contract', () => {
  it("names the schema's enumerations value for value", () => {
    assert.deepEqual(enumValues('InterviewStatus'), [...INTERVIEW_STATUSES].sort());
    assert.deepEqual(enumValues('AudioPolicy'), [...AUDIO_POLICIES].sort());
    assert.deepEqual(enumValues('ViolationType'), [...VIOLATION_TYPES].sort());
    assert.deepEqual(enumValues('Severity'), [...SEVERITIES].sort());
    assert.deepEqual(enumValues('CandidateMessageKind'), [...CANDIDATE_MESSAGE_KINDS].sort());
    assert.deepEqual(enumValues('ReviewVerdict'), [...REVIEW_VERDICTS].sort());
    assert.deepEqual(enumValues('ReviewDecision'), [...REVIEW_DECISIONS].sort());
    assert.deepEqual(enumValues('ReviewStatus'), [...REVIEW_STATUSES].sort());
  });

  it('selects every rule of InterviewConfig, for an interview and for a candidate session', () => {
    const document = `query($id: ID!, $token: String!) {
      interview(id: $id) { config ${INTERVIEW_RULES_SELECTION} }
      candidateSession(token: $token) { rules ${INTERVIEW_RULES_SELECTION} }
    }`;
    assert.deepEqual(valid(document), []);
    assert.deepEqual(selected(firstFieldSelection(`{ config ${INTERVIEW_RULES_SELECTION} }`)), fieldNames('InterviewConfig'));
  });

  it("selects every field of a candidate's accommodations, for a candidate and for a candidate session", () => {
    const document = `query($id: ID!, $token: String!) {
      interview(id: $id) { candidates { edges { node { accommodations ${ACCOMMODATIONS_SELECTION} } } } }
      candidateSession(token: $token) { accommodations ${ACCOMMODATIONS_SELECTION} }
    }`;
    assert.deepEqual(valid(document), []);
    assert.deepEqual(selected(firstFieldSelection(`{ accommodations ${ACCOMMODATIONS_SELECTION} }`)), fieldNames('Accommodations'));
  });

  it('subscribes to every field of every event of the interviewEvents union', () => {
    assert.deepEqual(valid(INTERVIEW_EVENTS_SUBSCRIPTION), []);
    const union = schema.getType('InterviewEvent');
    assert.ok(union instanceof GraphQLUnionType);
    const fragments = firstFieldSelection(INTERVIEW_EVENTS_SUBSCRIPTION).selections.flatMap((selection) =>
      selection.kind === Kind.INLINE_FRAGMENT ? [[selection.typeCondition!.name.value, selected(selection.selectionSet)] as const] : [],
    );
    assert.deepEqual(
      fragments.map(([type]) => type).sort(),
      union
        .getTypes()
        .map((type) => type.name)
        .sort(),
    );
    for (const [type, fields] of fragments) assert.deepEqual(fields, fieldNames(type), type);
  });

  it('is all that the pages and the CLI import from outside themselves, and imports nothing itself', async () => {
    assert.deepEqual(outside(await importsUnder('client'), 'client', 'contract'), []);
    // `proctor up` and `proctor worker` start the server in the CLI's own process.
    const serverStarters = new Set(['cli/commands/up.ts', 'cli/commands/worker.ts']);
    const cli = (await importsUnder('cli')).filter(({ file }) => !serverStarters.has(file));
    assert.deepEqual(outside(cli, 'cli', 'contract'), []);
    assert.deepEqual(outside(await importsUnder('contract'), 'contract'), []);
  });
});
