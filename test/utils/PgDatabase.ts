import { randomBytes } from "node:crypto"
import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Redacted, type Scope, Stream } from "effect"

// The PostgreSQL the tests need (127.0.0.1:5432, trust auth, user postgres): a database of their own,
// created fresh and dropped after. Absent, the test fails saying so; it never passes silently.
export const SERVER = "postgres://postgres@127.0.0.1:5432"

const admin = PgClient.make({ url: Redacted.make(`${SERVER}/postgres`), maxConnections: 1 }).pipe(
  Effect.provide(Reactivity.layer)
)

export const freshDatabase = (label: string): Effect.Effect<string, Error, Scope.Scope> =>
  Effect.gen(function* () {
    const name = `syncwatch_${label}_${randomBytes(6).toString("hex")}`
    yield* Effect.acquireRelease(
      Effect.scoped(Effect.flatMap(admin, (sql) => sql.unsafe(`CREATE DATABASE ${name}`))),
      () =>
        Effect.scoped(Effect.flatMap(admin, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))).pipe(
          Effect.orDie
        )
    ).pipe(
      Effect.mapError(
        (cause) =>
          new Error(`this test needs PostgreSQL on 127.0.0.1:5432 (trust auth, user postgres): ${cause.message}`)
      )
    )
    return `${SERVER}/${name}`
  })

// every NOTIFY payload sent on the channels, as another instance would hear it
export const listenTo = (databaseUrl: string, channels: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.make({ url: Redacted.make(databaseUrl), maxConnections: 1 }).pipe(
      Effect.provide(Reactivity.layer),
      Effect.orDie
    )
    const heard: Array<string> = []
    for (const channel of channels) {
      yield* Stream.runForEach(sql.listen(channel), (payload) => Effect.sync(() => heard.push(payload))).pipe(
        Effect.orDie,
        Effect.forkScoped
      )
    }
    return heard
  })
