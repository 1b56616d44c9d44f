import type * as SqlClient from "@effect/sql/SqlClient"
import { type ConfigError, Effect, Layer } from "effect"
import { databaseTarget, type StoreKind } from "./Db/Target.js"

// SqlClient and StoreKind (and SqliteClient or PgClient) on the store DATABASE_URL names, migrated.
// PostgreSQL's driver is loaded only when it is asked for: the SQLite default needs nothing of it.
export const SqlLive: Layer.Layer<SqlClient.SqlClient | StoreKind, ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.gen(function* () {
    const target = yield* databaseTarget
    if (target._tag === "pg") {
      const Pg = yield* Effect.promise(() => import("./Db/Pg.js"))
      return Pg.layer(target.url)
    }
    const Sqlite = yield* Effect.promise(() => import("./Db/Sqlite.js"))
    return Sqlite.layer(target.filename)
  })
)
