// What one GraphQL document may ask for, checked before anything executes: its size in tokens
// while it is parsed, then its depth, aliases, directives and estimated cost (fragments followed
// once each, introspection counted like any other field) in a validation pass of their own that
// runs before GraphQL's standard rules, since some of those cost time quadratic in the number of
// fields. The GraphQL Armor rules do the counting; the errors are ours, with a code and the limit
// named. Every transport runs yoga's envelop pipeline, so these apply over HTTP, SSE and graphql-ws.
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, validate, type DocumentNode, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export interface QueryLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
}

type Limit = 'depth' | 'aliases' | 'tokens' | 'directives' | 'cost';

export function queryLimitPlugins(limits: QueryLimits): Plugin[] {
  const reportTo = (limit: Limit, message: string) => ({
    propagateOnRejection: false,
    onReject: [(context: ValidationContext | null) => context?.reportError(limitError(limit, message))],
  });
  // Spreads and inline fragments add no level to the result, so they add none to depth or cost.
  const rules = [
    maxDepthRule({
      n: limits.maxDepth,
      flattenFragments: true,
      ignoreIntrospection: false,
      ...reportTo('depth', `The query is nested deeper than the limit of ${limits.maxDepth} levels`),
    }),
    maxAliasesRule({ n: limits.maxAliases, allowList: [], ...reportTo('aliases', `The query uses more than the limit of ${limits.maxAliases} aliases`) }),
    maxDirectivesRule({ n: limits.maxDirectives, ...reportTo('directives', `The query uses more than the limit of ${limits.maxDirectives} directives`) }),
    costLimitRule({
      maxCost: limits.maxCost,
      flattenFragments: true,
      ignoreIntrospection: false,
      ...reportTo('cost', `The query's estimated cost is over the limit of ${limits.maxCost}: ask for fewer items (first/last) or fewer nested fields`),
    }),
  ] as unknown as ValidationRule[];
  // yoga's parser cache hands out one document per query text, and these rules read neither
  // variables nor context: each document is judged once, not on every operation that sends it
  // (a candidate page sends the same few documents thousands of times).
  const judged = new WeakMap<DocumentNode, readonly GraphQLError[]>();
  const limitsFirst: Plugin = {
    onValidate: ({ params, setResult }) => {
      // envelop types graphql's objects as any (it supports several graphql versions).
      const document = params.documentAST as DocumentNode;
      let refused = judged.get(document);
      if (!refused) {
        refused = validate(params.schema as GraphQLSchema, document, rules);
        judged.set(document, refused);
      }
      if (refused.length > 0) setResult([...refused]);
    },
  };
  // The parser has to stop where it is: a thrown error, not a report.
  const tokens = maxTokensPlugin({
    n: limits.maxTokens,
    onReject: [
      () => {
        throw limitError('tokens', `The query is longer than the limit of ${limits.maxTokens} tokens`);
      },
    ],
  }) as Plugin;
  return [tokens, limitsFirst];
}

function limitError(limit: Limit, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', limit } });
}
