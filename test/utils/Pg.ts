import { randomBytes } from "node:crypto"
import * as Reactivity from "@effect/experimental/Reactivity"
import type { SqlClient } from "@effect/sql"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Redacted, type Scope } from "effect"
import type { StoreKind } from "../../src/Db/Target.js"
import { sqlAt } from "./Db.js"

// The PostgreSQL of the development machines and CI (trust auth, user postgres)
export const PG_PORT = 5432
export const PG_HOST = `127.0.0.1:${PG_PORT}`
export const pgUrl = (database: string) => `postgres://postgres@${PG_HOST}/${database}`

// a short-lived connection to the server's own `postgres` database, for what the tests set up around a site
export const admin = <A>(run: (sql: PgClient.PgClient) => Effect.Effect<A, unknown>, database = "postgres") =>
  Effect.scoped(
    Effect.flatMap(
      PgClient.make({ url: Redacted.make(pgUrl(database)), connectTimeout: "5 seconds", maxConnections: 1 }),
      run
    )
  ).pipe(Effect.provide(Reactivity.layer))

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

// what a test process killed before its finalizers left behind: the databases of pids no longer running
const dropLeftovers = admin((sql) =>
  Effect.flatMap(
    sql<{ readonly datname: string }>`SELECT datname FROM pg_database WHERE starts_with(datname, 'syncwatch_test_')`,
    (rows) =>
      Effect.forEach(
        rows.filter(({ datname }) => !alive(Number(datname.split("_")[2]))),
        ({ datname }) => Effect.ignore(sql`DROP DATABASE IF EXISTS ${sql(datname)} WITH (FORCE)`),
        { discard: true }
      )
  )
)
let leftoversDropped = false

// A fresh database named syncwatch_test_<pid>_<random>, dropped (with whatever still holds it) when the
// scope closes. No PostgreSQL is a failure that says so: these tests never pass without it.
export const pgDatabase = (purpose: string): Effect.Effect<string, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const name = `syncwatch_test_${process.pid}_${randomBytes(6).toString("hex")}`
      if (!leftoversDropped) {
        leftoversDropped = true
        yield* Effect.ignore(dropLeftovers)
      }
      yield* admin((sql) => sql`CREATE DATABASE ${sql(name)}`).pipe(
        Effect.catchAllCause((cause) =>
          Effect.dieMessage(
            `PostgreSQL at ${PG_HOST} is needed for ${purpose} (trust auth, user postgres): it could not be used (${String(cause).split("\n")[0]})`
          )
        )
      )
      return name
    }),
    (name) => admin((sql) => sql`DROP DATABASE IF EXISTS ${sql(name)} WITH (FORCE)`).pipe(Effect.orDie)
  )

// the app's own store layer (migrations included) on a fresh database, dropped with the layer's scope
export const PgTest: Layer.Layer<SqlClient.SqlClient | StoreKind> = Layer.unwrapScoped(
  Effect.map(pgDatabase("the store suite"), (name) => sqlAt(pgUrl(name)))
)
