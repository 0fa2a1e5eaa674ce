// Webhooks for ATS systems: an org subscribes URLs to events; each event becomes one delivery
// per subscribed webhook, POSTed as signed JSON by the deliver-webhook job and retried with
// exponential backoff. Every attempt is kept in the delivery log.
import { randomBytes } from 'node:crypto';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import { DeliveryStatus, Webhook, WebhookDelivery, WEBHOOK_EVENTS, type WebhookEvent } from '../db/entities.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import { afterCursor, KEYSET_ORDER, pageSize, toPage, type Page, type PageArgs } from '../pagination.ts';
import * as validate from '../validate.ts';
import type { JobQueue } from '../jobs/job-runner.ts';
import { audit } from '../services/audit.ts';
import { postToReceiver } from './post-to-receiver.ts';
import { isNonPublicHost } from './public-address.ts';
import { SIGNATURE_HEADER, signPayload } from './signature.ts';

const MAX_WEBHOOKS_PER_ORG = 20;

export interface WebhookOptions {
  /** Allow loopback and private-network addresses (tests, single-machine set-ups). */
  allowPrivateAddresses: boolean;
  timeoutMs: number;
  attempts: number;
}

export interface CreatedWebhook {
  webhook: Webhook;
  /** Shown once: the receiver verifies X-Proctor-Signature with it. */
  secret: string;
}

export class WebhookService {
  readonly #orm: MikroORM;
  readonly #options: WebhookOptions;
  #queue: JobQueue | undefined;

  constructor(orm: MikroORM, options: WebhookOptions) {
    this.#orm = orm;
    this.#options = options;
  }

  /** Deliveries are enqueued through this (the job runner starts after the services). */
  useQueue(queue: JobQueue): void {
    this.#queue = queue;
  }

  async create(actor: OrgActor, input: { url: string; events: readonly string[] }): Promise<CreatedWebhook> {
    const url = this.#validUrl(input.url);
    const events = validEvents(input.events);
    const em = this.#orm.em.fork();
    if ((await em.count(Webhook, { org: actor.orgId })) >= MAX_WEBHOOKS_PER_ORG) {
      throw new ConflictError(`An organisation can have at most ${MAX_WEBHOOKS_PER_ORG} webhooks; delete one first`);
    }
    const secret = `whsec_${randomBytes(24).toString('base64url')}`;
    const webhook = em.create(Webhook, { org: actor.orgId, url, events, secret });
    audit(em, actor, 'webhook.create', { type: 'Webhook', id: webhook.id }, { url, events });
    await em.flush();
    return { webhook, secret };
  }

  async list(actor: OrgActor): Promise<Webhook[]> {
    return this.#orm.em.fork().find(Webhook, { org: actor.orgId }, { orderBy: KEYSET_ORDER });
  }

  async delete(actor: OrgActor, id: string): Promise<Webhook> {
    const webhook = await this.#get(actor, id);
    const em = this.#orm.em.fork();
    await em.nativeDelete(Webhook, { id: webhook.id });
    audit(em, actor, 'webhook.delete', { type: 'Webhook', id: webhook.id });
    await em.flush();
    return webhook;
  }

  async deliveries(actor: OrgActor, webhookId: string, args: PageArgs): Promise<Page<WebhookDelivery>> {
    const webhook = await this.#get(actor, webhookId);
    const first = pageSize(args);
    const rows = await this.#orm.em.fork().find(WebhookDelivery, { webhook: webhook.id, ...afterCursor(args.after) }, { orderBy: KEYSET_ORDER, limit: first + 1 });
    return toPage(rows, first);
  }

  /**
   * Records one delivery per webhook of the org subscribed to `event` in `em` (the caller's
   * transaction, so the deliveries commit with what they announce); returns their ids, to be
   * enqueued once committed. A delivery whose enqueue fails is picked up by `resumePending`.
   */
  async record(em: EntityManager, orgId: string, event: WebhookEvent, data: Record<string, unknown>): Promise<string[]> {
    const hooks = (await em.find(Webhook, { org: orgId })).filter((hook) => hook.events.includes(event));
    return hooks.map((webhook) => em.create(WebhookDelivery, { webhook, event, payload: data }).id);
  }

  async enqueue(deliveryIds: readonly string[]): Promise<void> {
    for (const deliveryId of deliveryIds) await this.#queue?.enqueue('deliver-webhook', { deliveryId });
  }

  /**
   * The pending-work sweep: enqueues PENDING deliveries recorded more than `olderThanMs` ago
   * that have no job. Returns how many it looked at.
   */
  async resumePending(olderThanMs: number): Promise<number> {
    // createdAt is stamped by this process's clock, so the cutoff is taken from it too.
    const recordedBefore = new Date(Date.now() - olderThanMs);
    const pending = await this.#orm.em.fork().find(WebhookDelivery, { status: DeliveryStatus.PENDING, createdAt: { $lt: recordedBefore } }, { fields: ['id'] });
    for (const { id } of pending) await this.#queue?.enqueueOnce('deliver-webhook', { deliveryId: id });
    return pending.length;
  }

  /** One attempt (the deliver-webhook job): throws to be retried while attempts remain. */
  async deliver(deliveryId: string): Promise<void> {
    const em = this.#orm.em.fork();
    const delivery = await em.findOne(WebhookDelivery, { id: deliveryId }, { populate: ['webhook'] });
    if (!delivery || delivery.status !== DeliveryStatus.PENDING) return; // webhook deleted, or already done
    const webhook = delivery.webhook;
    const body = JSON.stringify({ id: delivery.id, event: delivery.event, createdAt: delivery.createdAt.toISOString(), data: delivery.payload });
    const timestamp = Math.floor(Date.now() / 1000);
    delivery.attempts += 1;
    delivery.lastAttemptAt = new Date();
    const { statusCode, failure } = await postToReceiver(webhook.url, {
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Proctor-Webhooks/1',
        'x-proctor-event': delivery.event,
        'x-proctor-delivery': delivery.id,
        'x-proctor-timestamp': String(timestamp),
        [SIGNATURE_HEADER.toLowerCase()]: signPayload(webhook.secret, body, timestamp),
      },
      body,
      timeoutMs: this.#options.timeoutMs,
      allowPrivateAddresses: this.#options.allowPrivateAddresses,
    });
    if (statusCode !== null) delivery.lastStatusCode = statusCode;
    delivery.lastError = failure;
    if (!failure) {
      delivery.status = DeliveryStatus.DELIVERED;
      delivery.deliveredAt = new Date();
    } else if (delivery.attempts >= this.#options.attempts) {
      delivery.status = DeliveryStatus.FAILED;
    }
    await em.flush();
    if (failure && delivery.status === DeliveryStatus.PENDING) throw new Error(`webhook delivery ${delivery.id} failed: ${failure}`);
  }

  async #get(actor: OrgActor, id: string): Promise<Webhook> {
    const webhook = validate.isUuid(id) ? await this.#orm.em.fork().findOne(Webhook, { id, org: actor.orgId }) : null;
    if (!webhook) throw new NotFoundError('Webhook', id);
    return webhook;
  }

  #validUrl(raw: string): string {
    const value = validate.text('url', raw, { max: 2048 });
    const url = URL.parse(value);
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new ValidationError('url', 'must be an http(s) URL');
    if (url.username || url.password) throw new ValidationError('url', 'must not contain credentials (the signature authenticates us)');
    if (url.hash) throw new ValidationError('url', 'must not contain a #fragment');
    // Names are checked again, resolved, at every delivery (post-to-receiver.ts); this catches the obvious early.
    if (!this.#options.allowPrivateAddresses && isNonPublicHost(url.hostname)) {
      throw new ValidationError('url', `${url.hostname} is a loopback, private or reserved address (set PROCTOR_WEBHOOK_ALLOW_PRIVATE=true to allow it)`);
    }
    return url.toString();
  }
}

function validEvents(events: readonly string[]): WebhookEvent[] {
  if (events.length === 0) throw new ValidationError('events', `name at least one of ${WEBHOOK_EVENTS.join(', ')}`);
  return [...new Set(events.map((event) => validate.oneOf('events', event, WEBHOOK_EVENTS)))];
}
