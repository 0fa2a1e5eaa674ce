import { Migration } from '@mikro-orm/migrations';

export class Migration20261124202838_snapshots extends Migration {
  override name = 'Migration20261124202838_snapshots';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "snapshots" ("id" uuid not null, "violation_id" uuid not null, "interview_id" uuid not null, "event_id" uuid null, "bytes" int not null, "created_at" timestamptz(3) not null, primary key ("id"));`,
    );
    this.addSql(`create index "snapshots_violation_id_index" on "snapshots" ("violation_id");`);
    this.addSql(`create index "snapshots_interview_id_created_at_index" on "snapshots" ("interview_id", "created_at");`);

    this.addSql(`alter table "snapshots" add constraint "snapshots_violation_id_foreign" foreign key ("violation_id") references "violations" ("id") on delete cascade;`);
    this.addSql(`alter table "snapshots" add constraint "snapshots_interview_id_foreign" foreign key ("interview_id") references "interviews" ("id") on delete cascade;`);
    this.addSql(`alter table "snapshots" add constraint "snapshots_event_id_foreign" foreign key ("event_id") references "events" ("id") on delete set null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "snapshots" cascade;`);
  }
}
