// API tokens for ATS integrations: opaque random strings, stored as SHA-256, shown once.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import { digestToken, randomToken } from '../auth/secrets.ts';
import { ApiToken } from '../db/entities.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import { afterCursor, KEYSET_ORDER, pageSize, toPage, type Page, type PageArgs } from '../pagination.ts';
import * as validate from '../validate.ts';
import { audit } from './audit.ts';

export const API_TOKEN_PREFIX = 'ptk_';

export interface CreatedApiToken {
  token: string;
  apiToken: ApiToken;
}

export class ApiTokenService {
  readonly #orm: MikroORM;

  constructor(orm: MikroORM) {
    this.#orm = orm;
  }

  async create(actor: OrgActor, name: string): Promise<CreatedApiToken> {
    // An integration may not mint further credentials for itself.
    if (actor.kind !== 'host') throw new ForbiddenError('Only a host can create API tokens');
    const token = `${API_TOKEN_PREFIX}${randomToken(32)}`;
    const em = this.#orm.em.fork();
    const apiToken = em.create(ApiToken, {
      org: actor.orgId,
      createdBy: actor.hostId,
      name: validate.text('name', name, { max: 100 }),
      tokenHash: digestToken(token),
      prefix: token.slice(0, 12),
    });
    audit(em, actor, 'apiToken.create', { type: 'ApiToken', id: apiToken.id }, { name: apiToken.name });
    await em.flush();
    return { token, apiToken };
  }

  async list(actor: OrgActor, args: PageArgs): Promise<Page<ApiToken>> {
    const first = pageSize(args);
    const rows = await this.#orm.em.fork().find(
      ApiToken,
      { org: actor.orgId, ...afterCursor(args.after) },
      { orderBy: KEYSET_ORDER, limit: first + 1 },
    );
    return toPage(rows, first);
  }

  async revoke(actor: OrgActor, id: string): Promise<ApiToken> {
    const em = this.#orm.em.fork();
    const apiToken = validate.isUuid(id) ? await em.findOne(ApiToken, { id, org: actor.orgId }) : null;
    if (!apiToken) throw new NotFoundError('API token', id);
    if (apiToken.revokedAt) throw new ConflictError('This API token is already revoked');
    apiToken.revokedAt = new Date();
    audit(em, actor, 'apiToken.revoke', { type: 'ApiToken', id });
    await em.flush();
    return apiToken;
  }
}
