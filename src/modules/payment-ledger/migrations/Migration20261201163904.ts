import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261201163904 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "payment_ledger_refund" drop constraint if exists "payment_ledger_refund_attempt_id_refund_id_unique";`);
    this.addSql(`alter table if exists "payment_ledger_delivery" drop constraint if exists "payment_ledger_delivery_provider_id_delivery_key_unique";`);
    this.addSql(`alter table if exists "payment_ledger_attempt" drop constraint if exists "payment_ledger_attempt_gateway_merchant_order_id_unique";`);
    this.addSql(`create table if not exists "payment_ledger_attempt" ("id" text not null, "provider_id" text null, "gateway" text not null, "merchant_order_id" text not null, "attempt" integer not null, "session_id" text null, "payment_collection_id" text null, "cart_id" text null, "amount" text not null, "currency" text not null, "gateway_reference" text null, "status" text check ("status" in ('starting', 'open', 'paid', 'mismatch', 'failed', 'expired', 'canceled', 'refunded')) not null default 'starting', "detached" text check ("detached" in ('superseded', 'deleted')) null, "attention" text null, "resolution" text null, "data" jsonb null, "paid_amount" text null, "paid_at" timestamptz null, "expires_at" timestamptz null, "last_checked_at" timestamptz null, "next_check_at" timestamptz null, "checks" integer not null default 0, "workflow_runs" integer not null default 0, "customer_email" text null, "note" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_ledger_attempt_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_ledger_attempt_deleted_at" ON "payment_ledger_attempt" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_ledger_attempt_gateway_merchant_order_id_unique" ON "payment_ledger_attempt" ("gateway", "merchant_order_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_ledger_attempt_session_id" ON "payment_ledger_attempt" ("session_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_ledger_attempt_status_next_check_at" ON "payment_ledger_attempt" ("status", "next_check_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_ledger_attempt_attention" ON "payment_ledger_attempt" ("attention") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "payment_ledger_delivery" ("id" text not null, "provider_id" text not null, "delivery_key" text not null, "verified" boolean not null, "kind" text null, "merchant_order_id" text null, "gateway_reference" text null, "event" jsonb null, "status" text check ("status" in ('received', 'processing', 'processed', 'ignored', 'failed')) not null default 'received', "outcome" text null, "attempts" integer not null default 0, "last_error" text null, "received_at" timestamptz not null, "processed_at" timestamptz null, "next_attempt_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_ledger_delivery_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_ledger_delivery_deleted_at" ON "payment_ledger_delivery" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_ledger_delivery_provider_id_delivery_key_unique" ON "payment_ledger_delivery" ("provider_id", "delivery_key") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_ledger_delivery_status_next_attempt_at" ON "payment_ledger_delivery" ("status", "next_attempt_at") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "payment_ledger_refund" ("id" text not null, "attempt_id" text not null, "refund_id" text not null, "amount" text not null, "currency" text not null, "status" text not null, "origin" text check ("origin" in ('medusa', 'orphan', 'gateway')) not null, "gateway_reference" text null, "note" text null, "paid_back_at" timestamptz null, "paid_back_by" text null, "paid_back_reference" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_ledger_refund_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_ledger_refund_deleted_at" ON "payment_ledger_refund" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_ledger_refund_attempt_id_refund_id_unique" ON "payment_ledger_refund" ("attempt_id", "refund_id") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_ledger_attempt" cascade;`);

    this.addSql(`drop table if exists "payment_ledger_delivery" cascade;`);

    this.addSql(`drop table if exists "payment_ledger_refund" cascade;`);
  }

}
