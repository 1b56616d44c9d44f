import { fileURLToPath } from "node:url"
import { Config, ConfigError, Context, Duration, Either, Redacted } from "effect"
import * as Setting from "../Setting.js"

// Which store DATABASE_URL chose: SQLite (one process, the default) or PostgreSQL (several processes)
export type Dialect = "sqlite" | "pg"
export class StoreKind extends Context.Tag("syncwatch/StoreKind")<StoreKind, Dialect>() {}

export type Target =
  | { readonly _tag: "sqlite"; readonly filename: string }
  | { readonly _tag: "pg"; readonly url: Redacted.Redacted<string> }

// `file:` prefix optional: `file:./data/x.db`, `file:///abs/x.db` and plain paths all name a file
export const toFilename = (url: string): string => {
  if (/^file:\/\//i.test(url)) return fileURLToPath(url)
  return /^file:/i.test(url) ? url.slice("file:".length) : url
}

// what may be shown of a PostgreSQL URL: everything but the password
export const masked = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    return parsed.toString()
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@")
  }
}

const reason = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause))
export const invalid = (message: string, cause?: unknown) =>
  ConfigError.InvalidData(["DATABASE_URL"], cause === undefined ? message : `${message}: ${reason(cause)}`)

// how long a statement (or a PostgreSQL connection attempt) may take before the store counts as unavailable
export const databaseTimeout = Setting.integer("DATABASE_TIMEOUT_MS", { min: 1, unit: "milliseconds" }).pipe(
  Config.withDefault(5000),
  Config.map(Duration.millis)
)

const PG = /^postgres(ql)?:\/\//i
// a scheme of two letters or more (`sqlite:`, `mysql://`): a drive letter is not one, `:memory:` has none
const OTHER_SCHEME = /^[a-z][a-z0-9+.-]+:/i

export const databaseTarget: Config.Config<Target> = Config.string("DATABASE_URL").pipe(
  Config.validate({
    message: "DATABASE_URL is empty: set it to a file such as ./data/syncwatch.db (or :memory:), or unset it",
    validation: (value) => value.trim() !== ""
  }),
  Config.withDefault("./data/syncwatch.db"),
  Config.mapOrFail((value): Either.Either<Target, ConfigError.ConfigError> => {
    if (PG.test(value)) return Either.right({ _tag: "pg", url: Redacted.make(value) })
    const scheme = OTHER_SCHEME.exec(value)?.[0]
    if (scheme !== undefined && scheme.toLowerCase() !== "file:") {
      return Either.left(
        invalid(
          `${masked(value)} names the scheme ${scheme}, which syncwatch does not read: give a SQLite file as a path, file:… or :memory:, or PostgreSQL as postgres://…`
        )
      )
    }
    return Either.right({ _tag: "sqlite", filename: toFilename(value) })
  })
)

// the PostgreSQL URL DATABASE_URL names: the cluster opens a pool of its own on it
export const postgresUrl: Config.Config<Redacted.Redacted<string>> = databaseTarget.pipe(
  Config.mapOrFail((target) =>
    target._tag === "pg" ? Either.right(target.url) : Either.left(invalid("the cluster runs on PostgreSQL only"))
  )
)
