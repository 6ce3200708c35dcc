/**
 * The medusa-config.ts a merchant writes from the README's install section, for the tests that install the
 * packed package into a separate store (install.spec.ts, packed-plugin.spec.ts). One template, so both test
 * what the README says.
 */

/** An option's value as TypeScript source: a literal, or a read of the store's environment. */
export type OptionSource = string | number | { env: string }
export type ProviderOptions = Record<string, OptionSource>

export type StoreConfigInput = {
  /** The package's name, as the store's package.json depends on it. */
  pkg: string
  /** Distinguishes each store's jwt and cookie secrets (throwaway values for a test store). */
  name: string
  /** The dashboard off, where a test does not look at it (a faster boot). */
  adminDisabled?: boolean
  /** Registrations by id: `qfpay`, `qfpay-direct`, `quantapay`, `qbitpay`, each with its options. */
  providers: Array<{ provider: "qfpay" | "quantapay" | "qbitpay"; id: string; options: ProviderOptions }>
}

const source = (value: OptionSource) => (typeof value === "object" ? `process.env.${value.env}` : JSON.stringify(value))
const optionsSource = (options: ProviderOptions) =>
  `{ ${Object.entries(options).map(([key, value]) => `${key}: ${source(value)}`).join(", ")} }`

export function storeConfigSource({ pkg, name, adminDisabled, providers }: StoreConfigInput): string {
  const registrations = providers
    .map(
      (p) => `          {
            resolve: "${pkg}/providers/${p.provider}",
            id: "${p.id}",
            options: ${optionsSource(p.options)},
          },`
    )
    .join("\n")
  return `import { defineConfig, Modules } from "@medusajs/framework/utils"

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http: {
      storeCors: process.env.STORE_CORS!,
      adminCors: process.env.ADMIN_CORS!,
      authCors: process.env.AUTH_CORS!,
      jwtSecret: "${name}-jwt-secret",
      cookieSecret: "${name}-cookie-secret",
    },
  },${adminDisabled ? "\n  admin: { disable: true }," : ""}
  plugins: [{ resolve: "${pkg}", options: {} }],
  modules: [
    {
      resolve: "@medusajs/medusa/payment",
      key: Modules.PAYMENT,
      options: {
        providers: [
${registrations}
        ],
      },
    },
  ],
})
`
}
