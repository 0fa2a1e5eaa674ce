// Webhooks for ATS systems, and their delivery log.
import { DELIVERY_STATUSES, WebhookEvent, type Webhook, type WebhookDelivery } from '../../server/db/entities.ts';
import { Scope } from '../../server/auth/scopes.ts';
import { builder } from '../builder.ts';
import { forwardOnly, toConnection } from '../connection.ts';
import { orgActor } from '../context.ts';

export const WebhookEventEnum = builder.enumType('WebhookEvent', {
  description:
    'INTERVIEW_COMPLETED is sent as "interview.completed", REPORT_READY as "report.ready", REVIEW_COMPLETED as "review.completed", REVIEW_STATEMENT as "review.statement", RECORDING_READY as "recording.ready", TRANSCRIPT_READY as "transcript.ready"',
  values: {
    INTERVIEW_COMPLETED: { value: WebhookEvent.INTERVIEW_COMPLETED },
    REPORT_READY: { value: WebhookEvent.REPORT_READY },
    REVIEW_COMPLETED: { value: WebhookEvent.REVIEW_COMPLETED },
    RECORDING_READY: { value: WebhookEvent.RECORDING_READY },
    REVIEW_STATEMENT: { value: WebhookEvent.REVIEW_STATEMENT },
    TRANSCRIPT_READY: { value: WebhookEvent.TRANSCRIPT_READY },
  } as const,
});

const DeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', { values: DELIVERY_STATUSES });

const WebhookDeliveryType = builder.objectRef<WebhookDelivery>('WebhookDelivery').implement({
  description: 'One event sent to a webhook, with its latest attempt',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Also sent as X-Proctor-Delivery and as "id" in the body' }),
    event: t.field({ type: WebhookEventEnum, resolve: (delivery) => delivery.event as WebhookEvent }),
    status: t.expose('status', { type: DeliveryStatusEnum }),
    attempts: t.exposeInt('attempts'),
    lastStatusCode: t.exposeInt('lastStatusCode', { nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true }),
    payload: t.expose('payload', { type: 'JSONObject', description: 'The "data" of the body' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
  }),
});

export const WebhookType = builder.objectRef<Webhook>('Webhook').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    url: t.exposeString('url'),
    events: t.field({ type: [WebhookEventEnum], resolve: (webhook) => webhook.events }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveries: t.connection({
      type: WebhookDeliveryType,
      description: 'The delivery log, oldest first',
      resolve: async (webhook, args, ctx) => toConnection(await ctx.services.webhooks.deliveries(orgActor(ctx, Scope.ADMIN), webhook.id, forwardOnly(args))),
    }),
  }),
});

const CreateWebhookPayload = builder.objectRef<{ webhook: Webhook; secret: string }>('CreateWebhookPayload').implement({
  fields: (t) => ({
    webhook: t.field({ type: WebhookType, resolve: (payload) => payload.webhook }),
    secret: t.exposeString('secret', { description: 'Verifies X-Proctor-Signature; shown this once' }),
  }),
});

builder.queryField('webhooks', (t) =>
  t.field({ type: [WebhookType], description: "The org's webhooks, oldest first", resolve: (_root, _args, ctx) => ctx.services.webhooks.list(orgActor(ctx, Scope.ADMIN)) }),
);

builder.mutationField('createWebhook', (t) =>
  t.field({
    type: CreateWebhookPayload,
    description: 'Subscribe an http(s) URL to events; deliveries are signed JSON POSTs retried with exponential backoff',
    args: { url: t.arg.string({ required: true }), events: t.arg({ type: [WebhookEventEnum], required: true }) },
    resolve: (_root, { url, events }, ctx) => ctx.services.webhooks.create(orgActor(ctx, Scope.ADMIN), { url, events }),
  }),
);

builder.mutationField('deleteWebhook', (t) =>
  t.field({
    type: WebhookType,
    description: 'Stops deliveries to the webhook and forgets its log',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => ctx.services.webhooks.delete(orgActor(ctx, Scope.ADMIN), id),
  }),
);
