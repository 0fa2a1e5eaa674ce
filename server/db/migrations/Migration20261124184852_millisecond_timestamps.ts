import { Migration } from '@mikro-orm/migrations';

export class Migration20261124184852_millisecond_timestamps extends Migration {
  override name = 'Migration20261124184852_millisecond_timestamps';

  override up(): void | Promise<void> {
    this.addSql(`alter table "orgs" alter column "created_at" type timestamptz(3) using ("created_at"::timestamptz(3));`);

    this.addSql(`alter table "hosts" alter column "created_at" type timestamptz(3) using ("created_at"::timestamptz(3));`);
    this.addSql(`alter table "hosts" alter column "last_login_at" type timestamptz(3) using ("last_login_at"::timestamptz(3));`);

    this.addSql(`alter table "interviews" alter column "scheduled_at" type timestamptz(3) using ("scheduled_at"::timestamptz(3));`);
    this.addSql(`alter table "interviews" alter column "created_at" type timestamptz(3) using ("created_at"::timestamptz(3));`);
    this.addSql(`alter table "interviews" alter column "started_at" type timestamptz(3) using ("started_at"::timestamptz(3));`);
    this.addSql(`alter table "interviews" alter column "ended_at" type timestamptz(3) using ("ended_at"::timestamptz(3));`);
    this.addSql(`alter table "interviews" alter column "archived_at" type timestamptz(3) using ("archived_at"::timestamptz(3));`);

    this.addSql(`alter table "candidates" alter column "token_not_before" type timestamptz(3) using ("token_not_before"::timestamptz(3));`);
    this.addSql(`alter table "candidates" alter column "token_expires_at" type timestamptz(3) using ("token_expires_at"::timestamptz(3));`);
    this.addSql(`alter table "candidates" alter column "token_revoked_at" type timestamptz(3) using ("token_revoked_at"::timestamptz(3));`);
    this.addSql(`alter table "candidates" alter column "created_at" type timestamptz(3) using ("created_at"::timestamptz(3));`);

    this.addSql(`alter table "audit_log" alter column "at" type timestamptz(3) using ("at"::timestamptz(3));`);

    this.addSql(`alter table "api_tokens" alter column "created_at" type timestamptz(3) using ("created_at"::timestamptz(3));`);
    this.addSql(`alter table "api_tokens" alter column "last_used_at" type timestamptz(3) using ("last_used_at"::timestamptz(3));`);
    this.addSql(`alter table "api_tokens" alter column "revoked_at" type timestamptz(3) using ("revoked_at"::timestamptz(3));`);

    this.addSql(`alter table "reports" alter column "generated_at" type timestamptz(3) using ("generated_at"::timestamptz(3));`);

    this.addSql(`alter table "sessions" alter column "start_time" type timestamptz(3) using ("start_time"::timestamptz(3));`);
    this.addSql(`alter table "sessions" alter column "end_time" type timestamptz(3) using ("end_time"::timestamptz(3));`);

    this.addSql(`alter table "violations" alter column "timestamp" type timestamptz(3) using ("timestamp"::timestamptz(3));`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "api_tokens" alter column "created_at" type timestamptz(6) using ("created_at"::timestamptz(6));`);
    this.addSql(`alter table "api_tokens" alter column "last_used_at" type timestamptz(6) using ("last_used_at"::timestamptz(6));`);
    this.addSql(`alter table "api_tokens" alter column "revoked_at" type timestamptz(6) using ("revoked_at"::timestamptz(6));`);

    this.addSql(`alter table "audit_log" alter column "at" type timestamptz(6) using ("at"::timestamptz(6));`);

    this.addSql(`alter table "candidates" alter column "token_not_before" type timestamptz(6) using ("token_not_before"::timestamptz(6));`);
    this.addSql(`alter table "candidates" alter column "token_expires_at" type timestamptz(6) using ("token_expires_at"::timestamptz(6));`);
    this.addSql(`alter table "candidates" alter column "token_revoked_at" type timestamptz(6) using ("token_revoked_at"::timestamptz(6));`);
    this.addSql(`alter table "candidates" alter column "created_at" type timestamptz(6) using ("created_at"::timestamptz(6));`);

    this.addSql(`alter table "hosts" alter column "created_at" type timestamptz(6) using ("created_at"::timestamptz(6));`);
    this.addSql(`alter table "hosts" alter column "last_login_at" type timestamptz(6) using ("last_login_at"::timestamptz(6));`);

    this.addSql(`alter table "interviews" alter column "scheduled_at" type timestamptz(6) using ("scheduled_at"::timestamptz(6));`);
    this.addSql(`alter table "interviews" alter column "created_at" type timestamptz(6) using ("created_at"::timestamptz(6));`);
    this.addSql(`alter table "interviews" alter column "started_at" type timestamptz(6) using ("started_at"::timestamptz(6));`);
    this.addSql(`alter table "interviews" alter column "ended_at" type timestamptz(6) using ("ended_at"::timestamptz(6));`);
    this.addSql(`alter table "interviews" alter column "archived_at" type timestamptz(6) using ("archived_at"::timestamptz(6));`);

    this.addSql(`alter table "orgs" alter column "created_at" type timestamptz(6) using ("created_at"::timestamptz(6));`);

    this.addSql(`alter table "reports" alter column "generated_at" type timestamptz(6) using ("generated_at"::timestamptz(6));`);

    this.addSql(`alter table "sessions" alter column "start_time" type timestamptz(6) using ("start_time"::timestamptz(6));`);
    this.addSql(`alter table "sessions" alter column "end_time" type timestamptz(6) using ("end_time"::timestamptz(6));`);

    this.addSql(`alter table "violations" alter column "timestamp" type timestamptz(6) using ("timestamp"::timestamptz(6));`);
  }
}
