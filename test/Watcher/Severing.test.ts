import { join } from "node:path"
import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Logger, LogLevel, Queue, Redacted, Stream, TestClock } from "effect"
import { Connections } from "../../src/Connections.js"
import type { StatusEvent } from "../../src/Domain/Events.js"
import { History } from "../../src/History.js"
import { Watcher } from "../../src/Watcher.js"
import { createRegisteredSender, graphql, startSite } from "../utils/App.js"
import { sse } from "../utils/Clients.js"
import { sqlAt, tempDir } from "../utils/Db.js"
import * as FakeSite from "../utils/FakeSite.js"
import * as Logs from "../utils/Logs.js"
import { assertNoSeveringSecret, registeredSender, severingSenders, watcherLayer } from "../utils/Watcher.js"

const gone = FakeSite.json(404, { success: false, exists: false })
const exists = FakeSite.json(200, { success: true, exists: true })

const captureLogs = Effect.sync(() => Logs.captureLogs(Logs.rendered))

const oneRound = Effect.flatMap(Watcher, (watcher) =>
  Effect.map(Stream.runCollect(watcher.statusEvents(undefined, "admin")), (events) => Chunk.toArray(events))
)
const statusOf = (uuid: string) => Effect.flatMap(Connections, (c) => Effect.map(c.get(uuid), (row) => row.status))
const tags = (events: ReadonlyArray<StatusEvent>) => events.map((e) => e._tag)

describe("the severed rule, in the watcher", () => {
  it.live(
    "verifyReceiverConnections: the senders asked are a round; a minority not found is severed (cases 60, 63)",
    () =>
      Effect.gen(function* () {
        const { lines, layer: logs } = yield* captureLogs
        const { senders, missing } = yield* severingSenders
        const connections = yield* Connections
        const never = yield* connections
          .create({
            name: "never registered",
            direction: "sender",
            siteUrl: `${missing.url}/x`,
            authToken: Redacted.make("s6")
          })
          .pipe(Effect.orDie)
        const watcher = yield* Watcher
        const results = yield* watcher.verifySenders().pipe(Effect.provide(logs))
        const byUuid = new Map(results.map((r) => [r.connectionUuid as string, [r.outcome, r.suspended, r.reason]]))
        assert.deepStrictEqual(
          senders.map((s) => byUuid.get(s.uuid)),
          [
            ["exists", false, null],
            ["not_found", true, "not_found"],
            ["error", false, "no_route"],
            ["error", false, "http_503"],
            ["offline", false, "refused"]
          ]
        )
        assert.strictEqual(results.length, 5, "the never-registered sender is not verified")
        const severed = yield* connections.get(senders[1]!.uuid)
        assert.strictEqual(severed.suspendedReason, "Remote site reports connection not found")
        assert.deepStrictEqual(
          yield* Effect.forEach([senders[0]!, senders[2]!, senders[3]!, senders[4]!], (s) => statusOf(s.uuid)),
          ["active", "active", "active", "active"]
        )
        assert.strictEqual(yield* statusOf(never.connection.uuid), "pending")
        const history = yield* History
        assert.deepStrictEqual(
          (yield* history.latest(senders[1]!.uuid)).map((c) => [c.from, c.to, c.reason]),
          [
            ["ACTIVE", "SUSPENDED", "Remote site reports connection not found"],
            [null, "NOT_FOUND", "not_found"]
          ]
        )
        assertNoSeveringSecret(lines)
      }).pipe(Effect.scoped, Effect.provide(watcherLayer()), Logger.withMinimumLogLevel(LogLevel.Debug))
  )

  it.live(
    "the brake: more than half of 5 eligible senders not found suspends none, says why, and the round says so",
    () =>
      Effect.gen(function* () {
        const { lines, layer: logs } = yield* captureLogs
        const missing = yield* FakeSite.make(gone)
        const ok = yield* FakeSite.make(exists)
        const lost = yield* Effect.forEach([1, 2, 3, 4], (i) => registeredSender(`${missing.url}/s${i}`, `t${i}`))
        yield* registeredSender(ok.url, "t5")
        const events = yield* oneRound.pipe(Effect.provide(logs))
        assert.deepStrictEqual(tags(events), ["SeveringHeld", "StatusRoundCompleted"])
        assert.deepInclude(events[0], { round: 1, notFound: 4, eligible: 5 })
        assert.deepInclude(events[1], { round: 1, checked: 5, severed: 0 })
        for (const s of lost) assert.strictEqual(yield* statusOf(s.uuid), "active")
        const errors = lines.filter((l) => l.startsWith("ERROR"))
        assert.lengthOf(errors, 1)
        assert.include(errors[0], "SITE_URL changed")
        assert.include(errors[0], "restored an old database")
        // the mutation is held the same way
        const verified = yield* Effect.flatMap(Watcher, (w) => w.verifySenders())
        assert.deepStrictEqual(
          verified.map((v) => v.suspended),
          [false, false, false, false, false]
        )
        for (const s of lost) assert.strictEqual(yield* statusOf(s.uuid), "active")
      }).pipe(Effect.scoped, Effect.provide(watcherLayer()))
  )

  it.live("the brake holds only above SEVER_BRAKE_PERCENT: 2 of 4 not found are severed", () =>
    Effect.gen(function* () {
      const missing = yield* FakeSite.make(gone)
      const ok = yield* FakeSite.make(exists)
      const lost = yield* Effect.forEach([1, 2], (i) => registeredSender(`${missing.url}/s${i}`, `t${i}`))
      yield* Effect.forEach([3, 4], (i) => registeredSender(`${ok.url}/s${i}`, `t${i}`))
      const events = yield* oneRound
      assert.deepStrictEqual(tags(events), [
        "ReceiverConnectionSevered",
        "ReceiverConnectionSevered",
        "StatusRoundCompleted"
      ])
      assert.deepInclude(events[2], { checked: 4, severed: 2 })
      for (const s of lost) assert.strictEqual(yield* statusOf(s.uuid), "suspended")
      // a second round finds them already suspended: nothing is counted twice
      const again = yield* oneRound
      assert.deepStrictEqual(tags(again), ["StatusRoundCompleted"])
    }).pipe(Effect.scoped, Effect.provide(watcherLayer()))
  )

  it.effect(
    "a not-found from before an admin reactivated the sender, served from memory, does not sever it again",
    () =>
      Effect.gen(function* () {
        const missing = yield* FakeSite.make(gone)
        const sender = yield* registeredSender(missing.url, "t1")
        const watcher = yield* Watcher
        const firstRound = (every: number) =>
          Effect.map(
            Stream.runCollect(
              watcher.statusEvents(every, "admin").pipe(Stream.takeUntil((e) => e._tag === "StatusRoundCompleted"))
            ),
            Chunk.toArray
          )
        assert.deepStrictEqual(tags(yield* firstRound(60)), ["ReceiverConnectionSevered", "StatusRoundCompleted"])
        yield* TestClock.adjust("2 seconds")
        yield* Effect.flatMap(Connections, (c) => c.updateStatus(sender.uuid, "active"))
        // a 60 s subscriber gets the 2 s old not-found from memory: it is older than the reactivation
        assert.deepStrictEqual(tags(yield* firstRound(60)), ["StatusRoundCompleted"])
        assert.strictEqual(yield* statusOf(sender.uuid), "active")
        assert.lengthOf(yield* missing.requests, 1)
        // a new check that still finds nothing severs it again
        yield* TestClock.adjust("1 minute")
        assert.deepStrictEqual(tags(yield* firstRound(60)), ["ReceiverConnectionSevered", "StatusRoundCompleted"])
        assert.lengthOf(yield* missing.requests, 2)
      }).pipe(Effect.scoped, Effect.provide(watcherLayer()))
  )

  it.effect("SEVER_AFTER=2: the first not-found round suspends nothing, the second does", () =>
    Effect.gen(function* () {
      const missing = yield* FakeSite.make(gone)
      const sender = yield* registeredSender(missing.url, "t1")
      const watcher = yield* Watcher
      const events = yield* Queue.unbounded<StatusEvent>()
      yield* Stream.runForEach(watcher.statusEvents(10, "admin"), (e) => Queue.offer(events, e)).pipe(Effect.forkScoped)
      const nextRound = Effect.gen(function* () {
        const round: Array<StatusEvent> = []
        for (;;) {
          const event = yield* Queue.take(events)
          round.push(event)
          if (event._tag === "StatusRoundCompleted") return round
        }
      })
      const first = yield* nextRound
      assert.deepStrictEqual(tags(first), ["StatusRoundCompleted"])
      assert.deepInclude(first[0], { severed: 0 })
      assert.strictEqual(yield* statusOf(sender.uuid), "active")
      const sql = yield* SqlClient.SqlClient
      const [row] = yield* sql`SELECT not_found_count FROM check_results WHERE connection_uuid = ${sender.uuid}`
      assert.deepStrictEqual(row, { not_found_count: 1 })

      yield* TestClock.adjust("11 seconds")
      const second = yield* nextRound
      assert.deepStrictEqual(tags(second), ["ReceiverConnectionSevered", "StatusRoundCompleted"])
      assert.deepInclude(second[1], { round: 2, severed: 1 })
      assert.strictEqual(yield* statusOf(sender.uuid), "suspended")
      assert.lengthOf(yield* missing.requests, 2)
    }).pipe(Effect.scoped, Effect.provide(watcherLayer({ SEVER_AFTER: "2" })))
  )

  it.live("SEVER_AFTER counts across a restart: the count is stored with the last-known status", () =>
    Effect.gen(function* () {
      const missing = yield* FakeSite.make(gone)
      const dir = yield* tempDir
      const sql = sqlAt(join(dir, "syncwatch.db"))
      const layer = watcherLayer({ SEVER_AFTER: "2" }, sql)
      const sender = yield* registeredSender(missing.url, "t1").pipe(Effect.provide(layer))
      const verify = Effect.flatMap(Watcher, (w) => w.verifySenders()).pipe(Effect.provide(layer))
      assert.deepStrictEqual(
        (yield* verify).map((v) => [v.outcome, v.suspended]),
        [["not_found", false]]
      )
      // a new process on the same file
      assert.deepStrictEqual(
        (yield* verify).map((v) => [v.outcome, v.suspended]),
        [["not_found", true]]
      )
      assert.strictEqual(yield* statusOf(sender.uuid).pipe(Effect.provide(layer)), "suspended")
    }).pipe(Effect.scoped)
  )
})

describe("the brake over GraphQL", () => {
  it.live("statusEvents emits SeveringHeld, and severed counts only the suspended", () =>
    Effect.gen(function* () {
      const missing = yield* FakeSite.make(gone)
      const site = yield* startSite()
      const senders = yield* Effect.forEach([1, 2, 3, 4], (i) =>
        createRegisteredSender(site, `${missing.url}/s${i}`, `s${i}`)
      )
      const events = yield* sse(
        site.graphqlUrl,
        `subscription { statusEvents { __typename ... on SeveringHeld { round notFound eligible }
          ... on StatusRoundCompleted { round checked severed } } }`
      )
      assert.deepStrictEqual((yield* events.next).data, {
        statusEvents: { __typename: "SeveringHeld", round: 1, notFound: 4, eligible: 4 }
      })
      assert.deepStrictEqual((yield* events.next).data, {
        statusEvents: { __typename: "StatusRoundCompleted", round: 1, checked: 4, severed: 0 }
      })
      for (const uuid of senders) {
        const row = yield* graphql(
          site.graphqlUrl,
          `{ connection(uuid: "${uuid}") { status lastVerification { outcome } } }`
        )
        assert.deepStrictEqual(row.data, {
          connection: { status: "ACTIVE", lastVerification: { outcome: "NOT_FOUND" } }
        })
      }
    }).pipe(Effect.scoped)
  )
})
