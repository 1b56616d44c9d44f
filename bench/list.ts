import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import { ConfigProvider, Effect, Layer } from "effect"
import { Connections } from "../src/Connections.js"
import { SqlLive } from "../src/Db.js"
import { SiteConfig } from "../src/SiteConfig.js"

// tsx bench/list.ts [N]: the cost of listing N receivers (Connections.list), SQL alone and decoded
const N = Number(process.argv[2] ?? 10_000)
const dir = mkdtempSync(join(tmpdir(), "syncwatch-list-"))
process.on("exit", () => rmSync(dir, { recursive: true, force: true }))

const time = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    yield* effect
    const runs: Array<number> = []
    for (let i = 0; i < 5; i++) {
      const started = process.cpuUsage()
      yield* effect
      const used = process.cpuUsage(started)
      runs.push((used.user + used.system) / 1000)
    }
    const ms = runs.sort((a, b) => a - b)[2]!
    console.log(`${label.padEnd(40)} ${ms.toFixed(1).padStart(8)} ms CPU  ${((ms * 1000) / N).toFixed(1)} µs/row`)
  })

const main = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const connections = yield* Connections
  yield* sql.withTransaction(
    Effect.forEach(
      Array.from({ length: N }, (_, i) => i),
      (i) => {
        const uuid = `0198f3a2-5b7c-7def-8123-${i.toString(16).padStart(12, "0")}`
        return sql`INSERT INTO connections ${sql.insert({
          uuid,
          name: `r${i}`,
          direction: "receiver",
          site_url: `http://127.0.0.1:9/r${i}`,
          auth_token_hash: `${i}`.padStart(64, "0"),
          status: "active",
          metadata: "{}",
          inserted_at: "2026-11-26T00:00:00Z",
          updated_at: "2026-11-26T00:00:00Z"
        })}`
      },
      { discard: true }
    )
  )
  yield* time("SQL SELECT * (no decode)", sql`SELECT * FROM connections WHERE direction = 'receiver'`)
  yield* time("Connections.list (decoded)", connections.list({ direction: "receiver" }))
})

const config = ConfigProvider.fromMap(
  new Map([
    ["DATABASE_URL", join(dir, "db.sqlite")],
    ["SITE_URL", "http://127.0.0.1:1"]
  ])
)
Effect.runPromise(
  main.pipe(
    Effect.provide(Connections.Default.pipe(Layer.provideMerge(SqlLive), Layer.provideMerge(SiteConfig.Default))),
    Effect.provide(Layer.setConfigProvider(config))
  )
).then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
