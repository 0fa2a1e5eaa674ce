// GraphQL documents built to cost a server time: each names the limit that must refuse it.
/** F0 spreads F1 twice, F1 spreads F2 twice…: 2^levels paths through `levels` small fragments. */
export function nestedFragments(levels: number): string {
  const fragments = Array.from({ length: levels }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
  return `query { ...F0 }\n${fragments.join('\n')}\nfragment F${levels} on Query { __typename }`;
}

export const HOSTILE: Record<string, { query: string; limit: string }> = {
  aliases: { query: `{ ${Array.from({ length: 40 }, (_, i) => `a: interview(id: "${i}") { id }`).join(' ')} }`, limit: 'aliases' },
  tokens: { query: `{ me { ${'id '.repeat(5000)}} }`, limit: 'tokens' },
  directives: { query: `{ __typename ${'@include(if: true) '.repeat(60)}}`, limit: 'directives' },
  cost: {
    query: '{ interviews(first: 100) { edges { node { candidates(first: 100) { edges { node { sessions { violations(first: 100) { edges { node { id type } } } } } } } } } } }',
    limit: 'cost',
  },
  depth: { query: `{ me { org { ${'a { '.repeat(48)}id${' }'.repeat(48)} } } }`, limit: 'depth' },
  'deep introspection': { query: `{ __schema { types { ${'fields { type { ofType { '.repeat(5)}name${' } } }'.repeat(5)} } } }`, limit: 'depth' },
  '1 MB of fields': { query: `{ ${'__typename '.repeat(Math.floor((1024 * 1024 - 200) / 11))}}`, limit: 'tokens' },
};
