import { Config, ConfigError, Effect, Option, Redacted } from "effect"

export const IncomingMode = ["auto_accept", "require_approval", "require_password", "deny_all"] as const
export type IncomingMode = (typeof IncomingMode)[number]

// take the client address from X-Forwarded-For: read here once, used by the rate limits and the server's
// per-address socket cap (ServerLimits.ts)
export const trustProxy = Config.boolean("TRUST_PROXY").pipe(Config.withDefault(false))

// the client a trusted proxy names: X-Forwarded-For's first entry
export const forwardedClient = (header: string | undefined): string | undefined =>
  header?.split(",")[0]?.trim() || undefined

// How this site answers other sites (B §3.1, §3.6): the reference keeps these in its Settings table.
export class SyncSettings extends Effect.Service<SyncSettings>()("syncwatch/SyncSettings", {
  effect: Effect.gen(function* () {
    const enabled = yield* Config.boolean("SYNC_ENABLED").pipe(Config.withDefault(true))
    const incomingMode = yield* Config.literal(...IncomingMode)("INCOMING_MODE").pipe(
      Config.withDefault("require_approval" as const)
    )
    const incomingPassword: Option.Option<Redacted.Redacted<string>> = yield* Config.redacted("INCOMING_PASSWORD").pipe(
      Config.option
    )
    // the reference starts and then refuses everyone (401); we refuse to start instead
    if (
      incomingMode === "require_password" &&
      !Option.exists(incomingPassword, (password) => Redacted.value(password) !== "")
    ) {
      return yield* Effect.fail(
        ConfigError.InvalidData(
          ["INCOMING_PASSWORD"],
          "INCOMING_MODE=require_password needs INCOMING_PASSWORD: set it to the password other sites must send, or choose another INCOMING_MODE"
        )
      )
    }
    return { enabled, incomingMode, incomingPassword, trustProxy: yield* trustProxy } as const
  })
}) {}
