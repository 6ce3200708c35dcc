import { burstPerSecond, inWebhookBurst, processingConcurrency, retryDelayMs, webhookArrivals, webhookDelayMs } from "../deliveries"

describe("webhook processing settings", () => {
  it("reads the delay, the concurrency and the burst rate from the environment, with defaults for anything unusable", () => {
    expect(webhookDelayMs({})).toBe(5000)
    expect(webhookDelayMs({ PAYMENT_WEBHOOK_DELAY_MS: "0" })).toBe(0)
    expect(webhookDelayMs({ PAYMENT_WEBHOOK_DELAY_MS: "-1" })).toBe(5000)
    expect(processingConcurrency({})).toBe(4)
    expect(processingConcurrency({ PAYMENT_WEBHOOK_CONCURRENCY: "0" })).toBe(4)
    expect(processingConcurrency({ PAYMENT_WEBHOOK_CONCURRENCY: "8" })).toBe(8)
    expect(burstPerSecond({})).toBe(20)
    expect(burstPerSecond({ PAYMENT_WEBHOOK_BURST_PER_SECOND: "" })).toBe(20)
    expect(burstPerSecond({ PAYMENT_WEBHOOK_BURST_PER_SECOND: "0" })).toBe(0)
    expect(burstPerSecond({ PAYMENT_WEBHOOK_BURST_PER_SECOND: "50" })).toBe(50)
    expect(burstPerSecond({ PAYMENT_WEBHOOK_BURST_PER_SECOND: "2.5" })).toBe(20)
    expect(burstPerSecond({ PAYMENT_WEBHOOK_BURST_PER_SECOND: "lots" })).toBe(20)
  })

  it("is in a burst only above the limit, and never with the limit 0", () => {
    for (let i = 0; i < 5; i++) webhookArrivals.note()
    expect(inWebhookBurst(5)).toBe(false)
    webhookArrivals.note()
    expect(inWebhookBurst(5)).toBe(true)
    expect(inWebhookBurst(0)).toBe(false)
  })

  it("spaces retries out, except after a held lock, which is tried again in 30 s", () => {
    expect([1, 2, 3, 4, 9].map((n) => retryDelayMs(n))).toEqual([30_000, 60_000, 120_000, 240_000, 3_600_000])
    expect(retryDelayMs(4, 'Failed to acquire lock for key "cart_01"')).toBe(30_000)
    expect(retryDelayMs(4, "Timed-out acquiring lock.")).toBe(30_000)
    expect(retryDelayMs(4, "QFPay answered 500")).toBe(240_000)
  })
})
