/** QFPay-specific time formats. The generic clock and Sleeper live in sandbox/shared/clock.ts. */
export { SimClock, Sleeper } from "../shared/clock"

/** QFPay timestamps are Hong Kong local time (UTC+8), formatted `YYYY-MM-DD HH:mm:ss`. */
const HK_OFFSET_MS = 8 * 3600 * 1000

const pad = (n: number, width = 2): string => String(n).padStart(width, "0")

export function formatHk(epochMs: number): string {
  const d = new Date(epochMs + HK_OFFSET_MS)
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  )
}

/** `YYYYMMDD` in Hong Kong time (the date prefix of a syssn). */
export function hkDateDigits(epochMs: number): string {
  return formatHk(epochMs).slice(0, 10).replace(/-/g, "")
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/

/**
 * Parses a strict 24-hour `YYYY-MM-DD HH:mm:ss` (Hong Kong time) into epoch ms, or undefined when the
 * shape or any field is invalid (month 13, 31 April, hour 24, a 12-hour clock with AM/PM...).
 */
export function parseHk(text: string): number | undefined {
  const m = TIMESTAMP.exec(text)
  if (!m) return undefined
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number)
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  const utc = Date.UTC(year, month - 1, day, hour, minute, second)
  // Date.UTC rolls 31 April over to 1 May; a round trip catches that.
  const back = new Date(utc)
  if (back.getUTCDate() !== day || back.getUTCMonth() !== month - 1) return undefined
  return utc - HK_OFFSET_MS
}
