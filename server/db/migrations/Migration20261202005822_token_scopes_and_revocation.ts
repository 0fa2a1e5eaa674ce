import { Migration } from '@mikro-orm/migrations';

/**
 * API token scopes (tokens made before get what an ATS integration needs: interviews:read and
 * interviews:write), per-host token versions, and the signed tokens voided before they expire.
 */
export class Migration20261202005822_token_scopes_and_revocation extends Migration {
  override name = 'Migration20261202005822_token_scopes_and_revocation';

  override up(): void | Promise<void> {
    this.addSql(`create table "revoked_tokens" ("token_digest" varchar(64) not null, "expires_at" timestamptz(3) not null, primary key ("token_digest"));`);
    this.addSql(`create index "revoked_tokens_expires_at_index" on "revoked_tokens" ("expires_at");`);

    this.addSql(`alter table "hosts" add "token_version" int not null default 0;`);

    this.addSql(`alter table "api_tokens" add "scopes" jsonb not null default '["interviews:read","interviews:write"]';`);
    this.addSql(`alter table "api_tokens" alter column "scopes" drop default;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "revoked_tokens" cascade;`);

    this.addSql(`alter table "api_tokens" drop column "scopes";`);

    this.addSql(`alter table "hosts" drop column "token_version";`);
  }
}
