import * as SqlClient from "@effect/sql/SqlClient"
import { ConfigProvider, Context, Effect, Layer } from "effect"
import { Replication } from "../src/Connections/Replication.js"
import { Connections } from "../src/Connections.js"
import { SqlLive } from "../src/Db.js"
import { SharedRegistry } from "../src/SharedRegistry.js"

// tsx bench/catchUp.ts DATABASE_URL [N]: what an instance's catch-up costs (Connections.catchUp, after a new
// LISTEN session) with N connections: the view read at start, a catch-up with nothing missed, and one
// with a tenth of the rows changed by another instance. The database must be empty; it is left filled.
const url = process.argv[2]
const N = Number(process.argv[3] ?? 10_000)
if (url === undefined) throw new Error("usage: tsx bench/catchUp.ts DATABASE_URL [N]")

const timed = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const cpu = process.cpuUsage()
    const started = performance.now()
    const result = yield* effect
    const used = process.cpuUsage(cpu)
    console.log(
      `${label.padEnd(44)} ${(performance.now() - started).toFixed(0).padStart(6)} ms  ${((used.user + used.system) / 1000).toFixed(0).padStart(6)} ms CPU`
    )
    return result
  })

const main = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  yield* sql.withTransaction(
    Effect.forEach(
      Array.from({ length: N }, (_, i) => i),
      (i) =>
        sql`INSERT INTO connections ${sql.insert({
          uuid: `0198f3a2-5b7c-7def-8123-${i.toString(16).padStart(12, "0")}`,
          name: `r${i}`,
          direction: "receiver",
          site_url: `http://127.0.0.1:9/r${i}`,
          auth_token_hash: `${i}`.padStart(64, "0"),
          status: "active",
          metadata: JSON.stringify({ note: `row ${i}` }),
          inserted_at: "2026-11-26T00:00:00Z",
          updated_at: "2026-11-26T00:00:00Z"
        })}`,
      { discard: true }
    )
  )
  // warm: the first read of a process also compiles the listing's code
  const plain = Context.get(yield* Layer.build(Connections.Default), Connections)
  yield* timed("a full list (Connections.list), for scale", plain.list())
  const viewing = Replication.layer.pipe(
    Layer.provideMerge(Connections.Default),
    Layer.provide(Layer.succeed(SharedRegistry, true))
  )
  const replication = Context.get(yield* timed("start: the view read", Layer.build(viewing)), Replication)
  yield* timed("catchUp, nothing missed", replication.catchUp)
  const none = yield* timed("catchUp, nothing missed (again)", replication.catchUp)
  yield* sql`UPDATE connections SET status = 'suspended' WHERE name LIKE '%0'`
  const some = yield* timed("catchUp, a tenth changed", replication.catchUp)
  console.log(`told: ${none}, then ${some}`)
})

const config = ConfigProvider.fromMap(
  new Map([
    ["DATABASE_URL", url],
    ["SITE_URL", "http://127.0.0.1:1"]
  ])
)
Effect.runPromise(
  main.pipe(Effect.scoped, Effect.provide(SqlLive), Effect.provide(Layer.setConfigProvider(config)))
).then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
