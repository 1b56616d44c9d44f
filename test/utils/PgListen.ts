import * as Reactivity from "@effect/experimental/Reactivity"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Effect, Redacted, Stream } from "effect"

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
