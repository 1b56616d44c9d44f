import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { PerformanceObserver, performance } from "node:perf_hooks"
import { ConfigProvider, Effect, Layer, Redacted, Stream } from "effect"
import { Connections } from "../src/Connections.js"
import { SqlLive } from "../src/Db.js"
import type { PeerFailure } from "../src/Domain/Errors.js"
import * as Yoga from "../src/graphql/Yoga.js"
import { PeerClient } from "../src/Peer/Client.js"
import { PeerHttpClientLive } from "../src/Peer/Transport.js"
import type { StatusAnswer } from "../src/Peer/Wire.js"
import { Services } from "../src/Server.js"
import { StatusChecks } from "../src/StatusChecks.js"
import { Watcher } from "../src/Watcher.js"
import { bareRun, bareTargets, ENDPOINT, makeBareAgent, PREFIX, receiver } from "./Checks.js"
import { killAll, startRemote } from "./Children.js"

// tsx bench/layers.ts [N]: where the time of senderStatuses goes, layer by layer, in one process against the
// bench's remote sender: each row adds one layer of syncwatch on top of the previous one.

const N = Number(process.argv[2] ?? 10_000)
const CONCURRENCY = 64
const repeats = Number(process.env["REPEATS"] ?? 3)
const dir = mkdtempSync(join(tmpdir(), "syncwatch-layers-"))
process.on("exit", () => {
  killAll()
  rmSync(dir, { recursive: true, force: true })
})

// pause time of the garbage collector, as Node reports it (entries arrive a little after each collection)
let gcMs = 0
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration
}).observe({ entryTypes: ["gc"] })
const settled = () => new Promise((resolve) => setTimeout(resolve, 50))

const time = <A, E, R>(label: string, effect: Effect.Effect<A, E, R>, repeats = 3) =>
  Effect.gen(function* () {
    yield* effect // warm-up
    const runs: Array<number> = []
    const cpus: Array<number> = []
    const gcs: Array<number> = []
    for (let i = 0; i < repeats; i++) {
      yield* Effect.promise(settled)
      const gcBefore = gcMs
      const started = performance.now()
      const cpu = process.cpuUsage()
      yield* effect
      const used = process.cpuUsage(cpu)
      runs.push(performance.now() - started)
      cpus.push((used.user + used.system) / 1000)
      yield* Effect.promise(settled)
      gcs.push(gcMs - gcBefore)
    }
    const ms = runs.sort((a, b) => a - b)[1]!
    const cpuUs = (cpus.sort((a, b) => a - b)[1]! * 1000) / N
    const gcUs = (gcs.sort((a, b) => a - b)[1]! * 1000) / N
    const heap = process.memoryUsage()
    console.log(
      `${label.padEnd(58)} ${((N / ms) * 1000).toFixed(0).padStart(7)} checks/s ${ms.toFixed(0).padStart(7)} ms` +
        ` ${cpuUs.toFixed(0).padStart(4)} µs CPU/check (GC ${gcUs.toFixed(0).padStart(3)})` +
        `  rss ${(heap.rss / 2 ** 20).toFixed(0)} MB heap ${(heap.heapUsed / 2 ** 20).toFixed(0)} MB`
    )
  })

const main = Effect.gen(function* () {
  const remote = yield* Effect.promise(startRemote)
  const siteUrl = "http://127.0.0.1:9"
  const receivers = Array.from({ length: N }, (_, i) => receiver(remote.origin, i))
  const config = ConfigProvider.fromMap(
    new Map([
      ["DATABASE_URL", join(dir, "syncwatch.db")],
      ["SITE_URL", siteUrl],
      ["SYNC_URL_PREFIX", PREFIX],
      ["ALLOW_INTERNAL_URLS", "true"],
      ["CHECK_CONCURRENCY", String(CONCURRENCY)]
    ])
  )
  const services = Services(Layer.mergeAll(SqlLive, PeerHttpClientLive)).pipe(
    Layer.provide(Layer.setConfigProvider(config))
  )

  const program = Effect.gen(function* () {
    const connections = yield* Connections
    const peer = yield* PeerClient
    const checks = yield* StatusChecks
    for (const r of receivers) {
      yield* connections.create({
        name: r.name,
        direction: "receiver",
        siteUrl: r.siteUrl,
        authToken: Redacted.make(r.token)
      })
    }
    const targets = bareTargets(receivers, siteUrl)
    const list = connections.list({ direction: "receiver" })
    const all = yield* list
    const agent = makeBareAgent()
    const graphql = (yoga: Effect.Effect.Success<typeof Yoga.make>) =>
      Effect.promise(async () => {
        const response = await yoga.fetch("http://local/graphql", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ query: "query { senderStatuses { connectionUuid status durationMs } }" })
        })
        const text = await response.text()
        if ((text.match(/"ACTIVE"/g) ?? []).length !== N) throw new Error(text.slice(0, 300))
      })

    console.log(`N = ${N}, concurrency ${CONCURRENCY}, ${process.version}`)
    yield* time(
      "bare undici loop",
      Effect.promise(() => bareRun(agent, targets, CONCURRENCY, 30_000)),
      repeats
    )
    yield* time(
      "PeerClient.statusCall over Effect.forEach",
      Effect.forEach(
        all,
        (c) => Effect.async<StatusAnswer, PeerFailure>((resume) => Effect.sync(peer.statusCall(c)(resume))),
        {
          concurrency: CONCURRENCY,
          discard: true
        }
      )
    )
    yield* time("Connections.list (receivers)", list)
    yield* time(
      "StatusChecks.checkReceiver over Effect.forEach",
      Effect.forEach(all, (c) => checks.checkReceiver(c), { concurrency: CONCURRENCY, discard: true })
    )
    const watcher = yield* Watcher
    yield* time("Watcher.senderStatuses (+ record, write-behind)", watcher.senderStatuses(), repeats)
    yield* time("Watcher.statusRounds, one round (no interval)", Stream.runDrain(watcher.statusRounds()), repeats)
    yield* time("GraphQL senderStatuses via yoga.fetch (no socket)", graphql(yield* Yoga.make))
    // the GraphQL edge alone: the same query answered from results computed beforehand
    const results = yield* watcher.senderStatuses()
    const stub = new Watcher({ ...watcher, senderStatuses: () => Effect.succeed(results) })
    const edgeOnly = yield* Yoga.make.pipe(Effect.provideService(Watcher, stub))
    yield* time("  GraphQL edge alone (senderStatuses answered from memory)", graphql(edgeOnly))
    yield* Effect.promise(() => agent.close())
  })
  yield* program.pipe(Effect.provide(services), Effect.scoped)
  console.log(`remote endpoint ${remote.origin}/r<i>${PREFIX}${ENDPOINT}`)
})

Effect.runPromise(main).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  }
)
