/**
 * Static tables of the simulator: the api.php functions and their required arguments, the fiat
 * currencies it prices in, the coins the hosted page offers, and the fixed exchange rates (documented in
 * README.md). Rates are deliberately round numbers so tests can compute expected amounts by hand.
 */
import { createHash } from "node:crypto"

/** Required arguments per function, in the order they are checked (Boxcoin's api.php allow-list order). */
export const API_FUNCTIONS = {
  "create-checkout-session": ["price", "currency"],
  "get-transaction": ["transaction_id"],
  "get-transactions": [],
  refund: ["transaction_id"],
  "get-balances": [],
  "get-credit-balance": [],
  "get-exchange-rates": ["currency_code", "cryptocurrency_code"],
  "get-fiat-value": ["amount", "cryptocurrency_code", "currency_code"],
} as const satisfies Record<string, readonly string[]>

export type ApiFunction = keyof typeof API_FUNCTIONS

export const isApiFunction = (name: string): name is ApiFunction => Object.prototype.hasOwnProperty.call(API_FUNCTIONS, name)

/** Units of each fiat currency per 1 USD. Codes outside this table are refused as unknown. */
export const FIAT_PER_USD: Readonly<Record<string, string>> = {
  USD: "1",
  EUR: "0.92",
  GBP: "0.79",
  HKD: "7.8",
  CNY: "7.2",
  JPY: "150",
  KRW: "1350",
  SGD: "1.35",
  TWD: "32",
  AUD: "1.5",
  CAD: "1.36",
  CHF: "0.88",
  NZD: "1.65",
  THB: "36",
  MYR: "4.7",
  PHP: "56",
  IDR: "16000",
  INR: "83",
  AED: "3.6725",
  SAR: "3.75",
  KWD: "0.307",
  BHD: "0.376",
  OMR: "0.385",
  JOD: "0.709",
  TND: "3.1",
  BRL: "5",
  MXN: "17",
  ZAR: "18.5",
  SEK: "10.5",
  NOK: "10.6",
  DKK: "6.9",
  PLN: "4",
  CZK: "23",
  HUF: "360",
  TRY: "32",
  ILS: "3.7",
}

const ZERO_DECIMAL = new Set(["JPY", "KRW"])
const THREE_DECIMAL = new Set(["KWD", "BHD", "OMR", "JOD", "TND"])

/** Upper-case code of a supported fiat currency (input is case-insensitive), or undefined. */
export function fiatCode(input: string): string | undefined {
  const code = input.toUpperCase()
  return Object.prototype.hasOwnProperty.call(FIAT_PER_USD, code) ? code : undefined
}

/** Decimals a price may have in this currency: 0 for JPY/KRW, 3 for KWD/BHD/OMR/JOD/TND, else 2. */
export const fiatDecimals = (code: string): number => (ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2)

type Family = "btc" | "ltc" | "doge" | "bch" | "evm" | "tron" | "sol" | "xrp" | "ton"

export interface Coin {
  name: string
  /** Decimals of `amount` (Boxcoin's table; trx and ton are guesses). */
  decimals: number
  /** Price of one coin in USD. */
  usd: string
  family: Family
}

/** Coins offered on the hosted page, in display order. Codes are Boxcoin's (lower case). */
export const COINS: Readonly<Record<string, Coin>> = {
  btc: { name: "Bitcoin", decimals: 8, usd: "65000", family: "btc" },
  eth: { name: "Ethereum", decimals: 8, usd: "3200", family: "evm" },
  usdt: { name: "Tether (ERC-20)", decimals: 6, usd: "1", family: "evm" },
  usdt_tron: { name: "Tether (TRC-20)", decimals: 6, usd: "1", family: "tron" },
  usdt_bsc: { name: "Tether (BEP-20)", decimals: 6, usd: "1", family: "evm" },
  usdc: { name: "USD Coin (ERC-20)", decimals: 6, usd: "1", family: "evm" },
  bnb: { name: "BNB", decimals: 7, usd: "600", family: "evm" },
  sol: { name: "Solana", decimals: 8, usd: "150", family: "sol" },
  ltc: { name: "Litecoin", decimals: 8, usd: "80", family: "ltc" },
  doge: { name: "Dogecoin", decimals: 8, usd: "0.15", family: "doge" },
  bch: { name: "Bitcoin Cash", decimals: 8, usd: "400", family: "bch" },
  xrp: { name: "XRP", decimals: 6, usd: "0.5", family: "xrp" },
  trx: { name: "TRON", decimals: 6, usd: "0.12", family: "tron" },
  ton: { name: "Toncoin", decimals: 9, usd: "5", family: "ton" },
}

export const coinOf = (code: string): Coin | undefined =>
  Object.prototype.hasOwnProperty.call(COINS, code) ? COINS[code] : undefined

const BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

const ADDRESS_SHAPES: Record<Family, { prefix: string; length: number; alphabet: string }> = {
  btc: { prefix: "bc1q", length: 38, alphabet: BECH32 },
  ltc: { prefix: "ltc1q", length: 38, alphabet: BECH32 },
  bch: { prefix: "bitcoincash:q", length: 41, alphabet: BECH32 },
  doge: { prefix: "D", length: 33, alphabet: BASE58 },
  evm: { prefix: "0x", length: 40, alphabet: "0123456789abcdef" },
  tron: { prefix: "T", length: 33, alphabet: BASE58 },
  sol: { prefix: "", length: 44, alphabet: BASE58 },
  xrp: { prefix: "r", length: 33, alphabet: BASE58 },
  ton: { prefix: "UQ", length: 46, alphabet: BASE64URL },
}

/** Bytes derived from `seed`, as long as needed. */
function stream(seed: string, length: number): Buffer {
  const chunks: Buffer[] = []
  for (let i = 0; chunks.length * 32 < length; i++) chunks.push(createHash("sha256").update(`${seed}#${i}`).digest())
  return Buffer.concat(chunks).subarray(0, length)
}

/** A plausible address on the coin's chain, derived from `seed` (same seed, same address). */
export function addressFor(coin: string, seed: string): string {
  const shape = ADDRESS_SHAPES[COINS[coin].family]
  const bytes = stream(`${coin}|${seed}`, shape.length)
  return shape.prefix + [...bytes].map((b) => shape.alphabet[b % shape.alphabet.length]).join("")
}

/** A plausible transaction hash on the coin's chain ("0x" + 64 hex on EVM chains, 64 hex elsewhere). */
export function txHashFor(coin: string, seed: string): string {
  const hex = stream(`hash|${coin}|${seed}`, 32).toString("hex")
  return COINS[coin].family === "evm" ? `0x${hex}` : hex
}
