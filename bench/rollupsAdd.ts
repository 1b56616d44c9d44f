import { join } from "node:path"
import { Effect, Layer } from "effect"
import { Connections } from "../src/Connections.js"
import { Maintenances } from "../src/Maintenance.js"
import { Rollups } from "../src/Rollups.js"
import { SiteConfig } from "../src/SiteConfig.js"
import { configProvider, sqlAt, tempDir } from "../test/utils/Db.js"

// tsx bench/rollupsAdd.ts: CPU per Rollups.add (what a check pays for the hourly rollups) and per row of its
// write behind, 10,000 connections on a SQLite file
const CONNECTIONS = 10_000
const ROUNDS = 100

const program = Effect.gen(function* () {
  const rollups = yield* Rollups
  const uuids = Array.from({ length: CONNECTIONS }, (_, i) => `01900000-0000-7000-8000-${String(i).padStart(12, "0")}`)
  const now = Date.now()
  const start = process.cpuUsage()
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < CONNECTIONS; i++)
      rollups.add(uuids[i]!, now + round * 1000, i % 7 === 0 ? "offline" : "active", 40 + (i % 300))
  }
  const used = process.cpuUsage(start)
  const ns = ((used.user + used.system) * 1000) / (CONNECTIONS * ROUNDS)
  console.log(`rollups add: ${ns.toFixed(0)} ns CPU per check`)
  // the write behind: every connection's hour, once per 10 minutes at most (or an hour's end)
  const before = process.cpuUsage()
  yield* rollups.flush
  const written = process.cpuUsage(before)
  console.log(
    `rollups write: ${((written.user + written.system) / CONNECTIONS).toFixed(1)} µs CPU per connection-hour row`
  )
})

Effect.runPromise(
  Effect.scoped(
    Effect.flatMap(tempDir, (dir) =>
      program.pipe(
        Effect.provide(
          Rollups.Default.pipe(
            Layer.provideMerge(Maintenances.Default),
            Layer.provideMerge(Connections.Default),
            Layer.provide(SiteConfig.Default),
            Layer.provideMerge(sqlAt(join(dir, "bench.db"))),
            Layer.provide(Layer.setConfigProvider(configProvider({ SITE_URL: "https://me.example.com" })))
          )
        )
      )
    )
  )
)
