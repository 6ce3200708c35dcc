import { defineMiddlewares } from "@medusajs/framework/http"

export default defineMiddlewares({
  routes: [
    {
      // Signatures are checked on the exact bytes received. Medusa preserves them for its generic
      // /hooks/payment/:provider route; declared here too so the QFPay route never depends on that.
      method: ["POST"],
      matcher: "/hooks/payment/qfpay_qfpay",
      bodyParser: { preserveRawBody: true },
    },
  ],
})
