import * as SqlClient from "@effect/sql/SqlClient"
import { ConfigProvider, Context, Effect, Layer } from "effect"
import { Replication } from "../src/Connections/Replication.js"
import { Connections } from "../src/Connections.js"
import { SqlLive } from "../src/Db.js"
import { SharedRegistry } from "../src/SharedRegistry.js"
import { fill } from "../test/utils/Bulk.js"

// tsx bench/catchUp.ts DATABASE_URL [N]: what an instance's catch-up costs (Connections.catchUp, after a new
// LISTEN session) with N connections: the view read at start, a catch-up with nothing missed, and one
// with a tenth of the rows changed by another instance. The database must be empty; it is left filled.
// One `name: value` line per figure (wall ms, and the process's CPU ms beside it); bench/scale.ts runs it too.

const timed = <A, E, R>(name: string, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const cpu = process.cpuUsage()
    const started = performance.now()
    const result = yield* effect
    const used = process.cpuUsage(cpu)
    console.log(`${name}_ms: ${(performance.now() - started).toFixed(0)}`)
    console.log(`${name}_cpu_ms: ${((used.user + used.system) / 1000).toFixed(0)}`)
    return result
  })

export const measureCatchUp = (n: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* fill({ count: n, direction: "receiver", status: "active", siteUrl: (i) => `http://127.0.0.1:9/r${i}` })
    // warm: the first read of a process also compiles the listing's code
    const plain = Context.get(yield* Layer.build(Connections.Default), Connections)
    yield* timed("catchup_full_list", plain.list())
    const viewing = Replication.layer.pipe(
      Layer.provideMerge(Connections.Default),
      Layer.provide(Layer.succeed(SharedRegistry, true))
    )
    const replication = Context.get(yield* timed("catchup_view_read_at_start", Layer.build(viewing)), Replication)
    yield* timed("catchup_nothing_missed_first", replication.catchUp)
    const none = yield* timed("catchup_nothing_missed", replication.catchUp)
    yield* sql`UPDATE connections SET status = 'suspended' WHERE name LIKE '%0'`
    const some = yield* timed("catchup_tenth_changed", replication.catchUp)
    console.log(`catchup_told_nothing_missed: ${none}`)
    console.log(`catchup_told_tenth_changed: ${some}`)
  })

export const catchUpAt = (url: string, n: number) =>
  measureCatchUp(n).pipe(
    Effect.scoped,
    Effect.provide(SqlLive),
    Effect.provide(
      Layer.setConfigProvider(
        ConfigProvider.fromMap(
          new Map([
            ["DATABASE_URL", url],
            ["SITE_URL", "http://127.0.0.1:1"]
          ])
        )
      )
    )
  )

if (process.argv[1]?.endsWith("catchUp.ts")) {
  const url = process.argv[2]
  if (url === undefined) throw new Error("usage: tsx bench/catchUp.ts DATABASE_URL [N]")
  Effect.runPromise(catchUpAt(url, Number(process.argv[3] ?? 10_000))).then(
    () => process.exit(0),
    (e) => {
      console.error(e)
      process.exit(1)
    }
  )
}
