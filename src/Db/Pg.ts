import * as Reactivity from "@effect/experimental/Reactivity"
import * as SqlClient from "@effect/sql/SqlClient"
import { PgClient } from "@effect/sql-pg"
import { Context, Duration, Effect, Layer, Redacted } from "effect"
import * as Migrations from "../Connections/Migrations.js"
import { databaseTimeout, invalid, masked, StoreKind } from "./Target.js"

// pg_advisory_xact_lock's key for the migrations (any integer: "syncw" in ASCII)
const MIGRATION_LOCK = 0x73796e6377

const reason = (cause: unknown): string => {
  const error = cause as { readonly cause?: unknown; readonly message?: unknown; readonly code?: unknown }
  const inner = error?.cause as { readonly message?: unknown; readonly code?: unknown } | undefined
  const text = inner?.message ?? error?.message ?? String(cause)
  const code = inner?.code ?? error?.code
  return typeof code === "string" ? `${code} ${String(text)}` : String(text)
}

// PgClient, SqlClient and StoreKind on the PostgreSQL URL, migrated. An unreachable server stops the start
// within DATABASE_TIMEOUT_MS with one line naming DATABASE_URL (password masked).
export const layer = (url: Redacted.Redacted<string>) =>
  Layer.scopedContext(
    Effect.gen(function* () {
      const timeout = yield* databaseTimeout
      const shown = masked(Redacted.value(url))
      const client = yield* PgClient.make({
        url,
        connectTimeout: timeout,
        idleTimeout: Duration.seconds(30),
        maxConnections: 10,
        applicationName: "syncwatch"
      }).pipe(
        Effect.mapError((error) =>
          invalid(`cannot reach PostgreSQL at ${shown} (${reason(error)}): start it, or fix DATABASE_URL`)
        )
      )
      // instances starting at once take turns (the Migrator's own table lock comes after it creates its
      // table, which two of them would otherwise both try): a session lock held on a connection of its own
      yield* Effect.gen(function* () {
        const holder = yield* client.reserve
        yield* holder.executeRaw("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK])
        yield* Migrations.run.pipe(
          Effect.ensuring(Effect.ignore(holder.executeRaw("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK])))
        )
      }).pipe(
        Effect.scoped,
        Effect.provideService(SqlClient.SqlClient, client),
        Effect.mapError((error) => invalid(`the migrations on ${shown} failed (${reason(error)})`))
      )
      return Context.make(PgClient.PgClient, client).pipe(
        Context.add(SqlClient.SqlClient, client),
        Context.add(StoreKind, "pg")
      )
    })
  ).pipe(Layer.provide(Reactivity.layer))
