import type { Context } from "@medusajs/framework/types"
import { InjectManager, MedusaContext, MedusaService } from "@medusajs/framework/utils"
import { newEntityId } from "../../lib/entity-id"
import type { DeliveryRow } from "../../ledger/store"
import { LedgerRefund } from "./models/ledger-refund"
import { PaymentAttempt } from "./models/payment-attempt"
import { WebhookDelivery } from "./models/webhook-delivery"

/** The part of knex these methods use (the module's own connection, as Medusa's modules use it for hot paths). */
type Rows = { rows: Record<string, unknown>[] }
type QueryBuilder = PromiseLike<Record<string, unknown>[]> & {
  where(conditions: Record<string, unknown>): QueryBuilder
  whereNull(column: string): QueryBuilder
  first(): PromiseLike<Record<string, unknown> | undefined>
  update(values: Record<string, unknown>): PromiseLike<number>
  insert(values: Record<string, unknown>): QueryBuilder
}
type Knex = ((table: string) => QueryBuilder) & { raw(sql: string, bindings: unknown[]): PromiseLike<Rows>; fn: { now(): unknown } }

function knexOf(context: Context): Knex {
  const manager = (context.transactionManager ?? context.manager) as { getTransactionContext?(): Knex | undefined; getKnex(): Knex }
  return manager.getTransactionContext?.() ?? manager.getKnex()
}

/** JSON columns go to PostgreSQL as JSON text (node-postgres would send a top-level array as a PostgreSQL array). */
function columns(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue
    out[name] = value !== null && typeof value === "object" && !(value instanceof Date) ? JSON.stringify(value) : value
  }
  return out
}

/** What the webhook route reads of a recorded delivery. */
export type DeliveryState = Pick<DeliveryRow, "id" | "status">

/** A delivery as the webhook route records it (the rest of the row is the table's defaults). */
export type NewDelivery = Pick<DeliveryRow, "provider_id" | "delivery_key" | "verified" | "kind" | "merchant_order_id" | "gateway_reference" | "event" | "status" | "outcome"> & {
  received_at: Date
  processed_at: Date | null
}

const DELIVERY_TABLE = "payment_ledger_delivery"
// The webhook route's two statements, written once (not built per request).
const DELIVERY_COLUMNS = ["id", "provider_id", "delivery_key", "verified", "kind", "merchant_order_id", "gateway_reference", "event", "status", "outcome", "received_at", "processed_at"] as const
const INSERT_DELIVERY = `insert into ${DELIVERY_TABLE} (${DELIVERY_COLUMNS.join(", ")}) values (${DELIVERY_COLUMNS.map(() => "?").join(", ")})
  on conflict (provider_id, delivery_key) where deleted_at is null do nothing returning id, status`
const SELECT_DELIVERY_STATE = `select id, status from ${DELIVERY_TABLE} where provider_id = ? and delivery_key = ? and deleted_at is null limit 1`
const ATTEMPT_TABLE = "payment_ledger_attempt"

/**
 * The payment ledger's data service: Medusa's generated CRUD for its three models, plus single-statement
 * reads and writes for the paths that run on every webhook and every payment check (the generated update
 * reads each row back through the ORM first, which cost a cart completion tens of milliseconds).
 */
export class PaymentLedgerService extends MedusaService({ PaymentAttempt, LedgerRefund, WebhookDelivery }) {
  /**
   * The module's knex for statements outside a transaction, taken once: the webhook route's statements skip
   * the ORM entirely, and forking an entity manager per call (as `@InjectManager` does) cost it about 0.4 ms
   * a delivery. Inside a caller's transaction, its connection is used.
   */
  private knexFor(context?: Context): Knex {
    if (context?.transactionManager) return knexOf(context)
    const repository = (this as unknown as { baseRepository_: { getFreshManager(): { getKnex(): Knex } } }).baseRepository_
    this.knex_ ??= repository.getFreshManager().getKnex()
    return this.knex_
  }
  private knex_?: Knex

  /** The id and status of the delivery a gateway's event key names, if recorded. */
  async deliveryByKey(providerId: string, deliveryKey: string, context?: Context): Promise<DeliveryState | undefined> {
    const { rows } = await this.knexFor(context).raw(SELECT_DELIVERY_STATE, [providerId, deliveryKey])
    return rows[0] as DeliveryState | undefined
  }

  /**
   * Records a delivery unless its key is recorded already, in one round trip when it is new; a repeated
   * one gets the recorded row's id and status (all the webhook route needs: nothing else is read back).
   * Concurrent first deliveries of the same event on several instances: one insert wins, the others get its row.
   */
  async recordDeliveryOnce(row: NewDelivery, context?: Context): Promise<{ delivery: DeliveryState; duplicate: boolean }> {
    const values = columns({ ...row, id: newEntityId("pldl") })
    const { rows } = await this.knexFor(context).raw(INSERT_DELIVERY, DELIVERY_COLUMNS.map((name) => values[name] ?? null))
    if (rows[0]) return { delivery: rows[0] as DeliveryState, duplicate: false }
    const recorded = await this.deliveryByKey(row.provider_id, row.delivery_key, context)
    if (!recorded) throw new Error(`delivery ${row.delivery_key} of ${row.provider_id} was neither inserted nor found`)
    return { delivery: recorded, duplicate: true }
  }

  /**
   * Takes a recorded delivery for processing: marks it processing and counts the attempt, in one statement,
   * unless its processing is over. Returns the row as taken, or undefined.
   */
  @InjectManager()
  async takeDelivery(id: string, @MedusaContext() context: Context = {}): Promise<Record<string, unknown> | undefined> {
    const knex = knexOf(context)
    const { rows } = await knex.raw(
      `update ${DELIVERY_TABLE} set status = 'processing', attempts = attempts + 1, updated_at = now()
       where id = ? and deleted_at is null and status not in ('processed', 'ignored') and event is not null returning *`,
      [id]
    )
    return rows[0]
  }

  /** Changes columns of one delivery in one statement. */
  @InjectManager()
  async patchDelivery(id: string, changes: Record<string, unknown>, @MedusaContext() context: Context = {}): Promise<void> {
    const knex = knexOf(context)
    await knex(DELIVERY_TABLE).where({ id }).update({ ...columns(changes), updated_at: knex.fn.now() })
  }

  /** The attempt of our order id at a gateway (unique per gateway). */
  @InjectManager()
  async attemptOfOrder(gateway: string, merchantOrderId: string, @MedusaContext() context: Context = {}): Promise<Record<string, unknown> | undefined> {
    return knexOf(context)(ATTEMPT_TABLE).where({ gateway, merchant_order_id: merchantOrderId }).whereNull("deleted_at").first()
  }

  /** Changes columns of one attempt in one statement. */
  @InjectManager()
  async patchAttempt(id: string, changes: Record<string, unknown>, @MedusaContext() context: Context = {}): Promise<void> {
    const knex = knexOf(context)
    await knex(ATTEMPT_TABLE).where({ id }).update({ ...columns(changes), updated_at: knex.fn.now() })
  }
}

export default PaymentLedgerService
