// Assembles the schema from the type modules (each registers itself on the builder).
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import './types/scalars.ts';
import './types/enums.ts';
import './types/org.ts';
import './types/host.ts';
import './types/viewer.ts';
import './types/auth.ts';
import './types/api-token.ts';
import './types/interview-config.ts';
import './types/interview.ts';
import './types/candidate.ts';
import './types/candidate-session.ts';
import './types/monitoring-session.ts';
import './types/interview-events.ts';
import './types/candidate-messages.ts';
import './types/monitoring-history.ts';
import './types/media.ts';
import './types/recording.ts';
import './types/composite.ts';
import './types/candidate-consent.ts';
import './types/review-link.ts';
import './types/room.ts';
import './types/review.ts';
import './types/candidate-statement.ts';
import './types/report.ts';
import './types/transcript.ts';
import './types/webhook.ts';

export const schema: GraphQLSchema = builder.toSchema();

/** The SDL committed as schema/schema.graphql. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
