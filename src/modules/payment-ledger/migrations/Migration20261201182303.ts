import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261201182303 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "payment_ledger_attempt" add column if not exists "dispute_status" text null, add column if not exists "disputed_at" timestamptz null, add column if not exists "dispute_closed_at" timestamptz null;`);

    this.addSql(`alter table if exists "payment_ledger_refund" add column if not exists "medusa_refund_id" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "payment_ledger_attempt" drop column if exists "dispute_status", drop column if exists "disputed_at", drop column if exists "dispute_closed_at";`);

    this.addSql(`alter table if exists "payment_ledger_refund" drop column if exists "medusa_refund_id";`);
  }

}
