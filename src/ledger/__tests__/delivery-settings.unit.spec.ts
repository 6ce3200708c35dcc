import { burstPerSecond, inWebhookBurst, processingConcurrency, webhookArrivals, webhookDelayMs } from "../deliveries"

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
})
