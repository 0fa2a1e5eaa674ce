// Candidate statements: the org's switch, the host's link, and the two fields the link's page
// uses (the token is their only credential, like enterRoom's), plus the statement on the review.
import { Scope } from '../../server/auth/scopes.ts';
import type { CandidateStatement } from '../../server/reports/report-input.ts';
import type { StatementLink, StatementPage } from '../../server/reviews/statements.ts';
import type { StatementFlag } from '../../server/reviews/statement-store.ts';
import { CANDIDATE_STATEMENT_MAX_LENGTH, STATEMENT_LINK_HOURS } from '../../contract/review.ts';
import { builder } from '../builder.ts';
import { orgActor } from '../context.ts';
import { ReviewDecisionEnum, ReviewVerdictEnum, SeverityEnum, ViolationTypeEnum } from './enums.ts';
import { OrgType } from './org.ts';
import { CandidateReviewType } from './review.ts';

const CandidateStatementType = builder.objectRef<CandidateStatement>('CandidateStatement').implement({
  description: "The candidate's one written statement on their completed review, verbatim (render it as text: it is the candidate's input)",
  fields: (t) => ({
    text: t.exposeString('text'),
    submittedAt: t.expose('submittedAt', { type: 'DateTime' }),
  }),
});

const StatementLinkType = builder.objectRef<StatementLink>('CandidateStatementLink').implement({
  fields: (t) => ({
    url: t.exposeString('url', { description: 'Send it to the candidate: it shows the flags and the decision and takes one statement' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

const StatementFlagType = builder.objectRef<StatementFlag>('CandidateStatementFlag').implement({
  description: 'A flag as the candidate is shown it',
  fields: (t) => ({
    type: t.expose('type', { type: ViolationTypeEnum }),
    severity: t.expose('severity', { type: SeverityEnum }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    durationMs: t.exposeInt('durationMs'),
    count: t.exposeInt('count'),
    verdict: t.expose('verdict', { type: ReviewVerdictEnum, nullable: true, description: "The reviewer's verdict (null: not reviewed)" }),
  }),
});

const StatementPageType = builder.objectRef<StatementPage>('CandidateStatementPage').implement({
  description: 'What a candidate statement link shows',
  fields: (t) => ({
    interviewTitle: t.exposeString('interviewTitle'),
    candidateName: t.exposeString('candidateName'),
    decision: t.expose('decision', { type: ReviewDecisionEnum }),
    decidedAt: t.expose('decidedAt', { type: 'DateTime' }),
    flags: t.field({ type: [StatementFlagType], resolve: (page) => page.flags }),
    statement: t.field({ type: CandidateStatementType, nullable: true, description: 'Null until the candidate writes one', resolve: (page) => page.statement }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When the link stops working' }),
  }),
});

builder.objectField(OrgType, 'candidateStatements', (t) =>
  t.exposeBoolean('candidateStatements', { description: 'Whether hosts may send candidates a link to leave one statement on a completed review (off by default)' }),
);

builder.objectField(CandidateReviewType, 'statement', (t) =>
  t.field({ type: CandidateStatementType, nullable: true, description: "The candidate's statement (null until one arrives)", resolve: (review) => review.statement }),
);

builder.mutationField('setOrgCandidateStatements', (t) =>
  t.field({
    type: OrgType,
    description: 'Turn candidate statement links on or off for the org (audited)',
    args: { enabled: t.arg.boolean({ required: true }) },
    resolve: (_root, { enabled }, ctx) => ctx.services.statements.setEnabled(orgActor(ctx, Scope.ADMIN), enabled),
  }),
);

builder.mutationField('candidateStatementLink', (t) =>
  t.field({
    type: StatementLinkType,
    description: 'A signed link for the candidate of a completed review, when the org has candidate statements on (audited)',
    args: {
      interviewId: t.arg.id({ required: true }),
      candidateId: t.arg.id({ required: true }),
      expiresInHours: t.arg.int({ description: `${STATEMENT_LINK_HOURS.min}–${STATEMENT_LINK_HOURS.max}; default ${STATEMENT_LINK_HOURS.default} (7 days)` }),
    },
    resolve: (_root, { interviewId, candidateId, expiresInHours }, ctx) =>
      ctx.services.statements.createLink(orgActor(ctx, Scope.INTERVIEWS_WRITE), interviewId, candidateId, expiresInHours),
  }),
);

builder.queryField('candidateStatementPage', (t) =>
  t.field({
    type: StatementPageType,
    description: "What a candidate statement link shows; the link's token is the credential",
    args: { token: t.arg.string({ required: true }) },
    resolve: (_root, { token }, ctx) => ctx.services.statements.page(token),
  }),
);

builder.mutationField('submitCandidateStatement', (t) =>
  t.field({
    type: StatementPageType,
    description: `The candidate's one statement (up to ${CANDIDATE_STATEMENT_MAX_LENGTH} characters), through a statement link; a second is CONFLICT`,
    args: { token: t.arg.string({ required: true }), text: t.arg.string({ required: true }) },
    resolve: (_root, { token, text }, ctx) => ctx.services.statements.submit(token, text),
  }),
);
