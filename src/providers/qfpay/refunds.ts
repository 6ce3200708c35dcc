import { MedusaError } from "@medusajs/framework/utils"
import { isGatewayError, refundOutcomeUnknown, toMedusaError } from "../../lib/errors"
import type { LoggerLike } from "../../lib/http"
import type { RecordedRefund } from "../../lib/session-data"
import { errorFromMeaning, formatTxdtm, QfpayClient } from "./client"
import { transactionStateFrom } from "./codes"
import type { QfpaySessionData } from "./data"

type RefundContext = {
  now: () => Date
  logger: LoggerLike
  /** The refund as recorded in payment data, with QFPay's reference and state. */
  record: (reference: string | null, status: RecordedRefund["status"]) => RecordedRefund
}

/**
 * Sends one QFPay refund and makes sure it happens at most once (reference §10). The refund's own
 * `out_trade_no` is derived from Medusa's refund id, so QFPay rejects a second refund with the same id
 * (1251/1102). When an answer is lost (timeout, reset, 5xx) the refund is looked up by that id before
 * anything is decided, and sent again only when QFPay has no record of it.
 */
export async function refundOnce(
  client: QfpayClient,
  data: QfpaySessionData,
  refundId: string,
  amountMinor: bigint,
  ctx: RefundContext
): Promise<RecordedRefund> {
  const lookUp = () => findRefund(client, data, refundId, ctx)
  for (let send = 1; send <= 2; send++) {
    try {
      const { body, meaning } = await client.refund({
        syssn: data.gateway_reference!,
        out_trade_no: refundId,
        txamt: amountMinor.toString(),
        txdtm: formatTxdtm(ctx.now()),
      })
      if (meaning.outcome === "ok") return ctx.record(String(body.syssn ?? ""), "succeeded")
      if (meaning.outcome === "processing" || meaning.outcome === "duplicate") {
        const found = await lookUp()
        if (found) return found
        if (meaning.outcome === "processing") {
          if (typeof body.syssn === "string" && body.syssn) return ctx.record(body.syssn, "processing")
          // No refund transaction in the answer and none under our id: QFPay refused this refund because
          // another one on the same payment is still processing (1145 "You still have processing requests").
          throw new MedusaError(
            MedusaError.Types.UNEXPECTED_STATE,
            `QFPay: another refund on this payment is still processing (code ${String(body.respcd ?? "")}); this refund was not accepted and nothing was refunded. Try again in a moment.`
          )
        }
      }
      throw errorFromMeaning(meaning, body, "refund")
    } catch (error) {
      if (!isGatewayError(error) || !error.maybeProcessed) throw toMedusaError(error, "refund the payment")
      ctx.logger.warn(`QFPay: refund ${refundId} got no clear answer (${error.message}); looking it up before deciding`)
      const found = await lookUp().catch(() => undefined)
      if (found) return found
      if (send === 2) {
        throw refundOutcomeUnknown(
          `QFPay: the refund outcome is unknown (refund id ${refundId}). Check the QFPay portal before refunding again; a retry here will not refund twice.`
        )
      }
    }
  }
  throw new MedusaError(MedusaError.Types.UNEXPECTED_STATE, "QFPay: refund could not be completed.")
}

/** Our refund at QFPay, looked up by its own out_trade_no. */
async function findRefund(client: QfpayClient, data: QfpaySessionData, refundId: string, ctx: RefundContext): Promise<RecordedRefund | undefined> {
  const records = await client.query({ out_trade_no: refundId })
  const hit = records.find(
    (r) =>
      String(r.order_type) === "refund" &&
      r.out_trade_no === refundId &&
      (r.origssn ?? r.orig_syssn ?? data.gateway_reference) === data.gateway_reference &&
      transactionStateFrom(r.respcd) !== "failed"
  )
  if (!hit) return undefined
  return ctx.record(String(hit.syssn ?? ""), transactionStateFrom(hit.respcd) === "succeeded" ? "succeeded" : "processing")
}
