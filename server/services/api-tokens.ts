// API tokens for ATS integrations: opaque random strings, stored as SHA-256, shown once.
import type { MikroORM } from '@mikro-orm/postgresql';
import type { OrgActor } from '../auth/actor.ts';
import { revocationKey, type Revocations } from '../auth/revocations.ts';
import { DEFAULT_API_TOKEN_SCOPES, SCOPES } from '../auth/scopes.ts';
import { digestToken, randomToken } from '../auth/secrets.ts';
import { ApiToken } from '../db/entities.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
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
  readonly #revocations: Revocations;

  constructor(orm: MikroORM, revocations: Revocations) {
    this.#orm = orm;
    this.#revocations = revocations;
  }

  /** `scopes` defaults to what an ATS integration needs (DEFAULT_API_TOKEN_SCOPES). */
  async create(actor: OrgActor, name: string, scopes: readonly string[] = DEFAULT_API_TOKEN_SCOPES): Promise<CreatedApiToken> {
    // An integration may not mint further credentials for itself.
    if (actor.kind !== 'host') throw new ForbiddenError('Only a host can create API tokens');
    if (scopes.length === 0) throw new ValidationError('scopes', 'name at least one scope');
    const granted = scopes.map((scope) => validate.oneOf('scopes', scope, SCOPES));
    const token = `${API_TOKEN_PREFIX}${randomToken(32)}`;
    const em = this.#orm.em.fork();
    const apiToken = em.create(ApiToken, {
      org: actor.orgId,
      createdBy: actor.hostId,
      name: validate.text('name', name, { max: 100 }),
      tokenHash: digestToken(token),
      prefix: token.slice(0, 12),
      // Each once, in a fixed order.
      scopes: SCOPES.filter((scope) => granted.includes(scope)),
    });
    audit(em, actor, 'apiToken.create', { type: 'ApiToken', id: apiToken.id }, { name: apiToken.name, scopes: apiToken.scopes });
    await em.flush();
    return { token, apiToken };
  }

  async list(actor: OrgActor, args: PageArgs): Promise<Page<ApiToken>> {
    const first = pageSize(args);
    const rows = await this.#orm.em.fork().find(ApiToken, { org: actor.orgId, ...afterCursor(args.after) }, { orderBy: KEYSET_ORDER, limit: first + 1 });
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
    this.#revocations.revoke(revocationKey.apiToken(id), 'The API token has been revoked');
    return apiToken;
  }
}
