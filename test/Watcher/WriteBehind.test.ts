import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Layer, Queue, Schedule } from "effect"
import { Connections } from "../../src/Connections.js"
import type { ConnectionUuid } from "../../src/Domain/Connection.js"
import { History } from "../../src/History.js"
import { Watcher } from "../../src/Watcher.js"
import { within } from "../utils/Clients.js"
import { sqlAt, tempDir, withConfig } from "../utils/Db.js"
import * as FakeSite from "../utils/FakeSite.js"
import { receiver, registeredSender, watcherLayer } from "../utils/Watcher.js"

const ACTIVE = FakeSite.json(200, { success: true, status: "active", name: "n" })
const RECEIVERS = 1200

const rows = (sql: SqlClient.SqlClient, table: "check_results" | "status_history") =>
  Effect.map(sql<{ n: number }>`SELECT count(*) AS n FROM ${sql(table)}`, ([row]) => row!.n)

describe("the watcher's store writes, behind and in batches", () => {
  it.live(
    `senderStatuses of ${RECEIVERS} receivers (over the 1,000 that wake the writer): every last-known row and history row is in the store when it returns`,
    () =>
      Effect.gen(function* () {
        const remote = yield* FakeSite.make(ACTIVE)
        const sql = yield* SqlClient.SqlClient
        for (let i = 0; i < RECEIVERS; i++) yield* receiver(`${remote.url}/r${i}`, `t${i}`)
        const watcher = yield* Watcher
        const results = yield* watcher.senderStatuses()
        assert.lengthOf(results, RECEIVERS)
        assert.strictEqual(yield* rows(sql, "check_results"), RECEIVERS)
        assert.strictEqual(yield* rows(sql, "status_history"), RECEIVERS)
        const stored = yield* sql<{ outcome: string; checked_at: string }>`
          SELECT outcome, checked_at FROM check_results WHERE connection_uuid = ${results[7]!.connectionUuid}`
        assert.deepStrictEqual(stored, [
          { outcome: "active", checked_at: new Date(results[7]!.checkedAt).toISOString() }
        ])
        // the same outcome again: the rows are updated in place, no history
        yield* watcher.senderStatuses()
        assert.strictEqual(yield* rows(sql, "check_results"), RECEIVERS)
        assert.strictEqual(yield* rows(sql, "status_history"), RECEIVERS)
      }).pipe(Effect.scoped, Effect.provide(watcherLayer())),
    { timeout: 120_000 }
  )

  it.live("deleting a connection deletes its last-known row and its history rows; they do not come back", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(ACTIVE)
      const sql = yield* SqlClient.SqlClient
      const connections = yield* Connections
      const history = yield* History
      const watcher = yield* Watcher
      const gone = yield* receiver(`${remote.url}/a`, "ta")
      const kept = yield* receiver(`${remote.url}/b`, "tb")
      yield* watcher.senderStatuses()
      assert.strictEqual(yield* rows(sql, "check_results"), 2)
      assert.strictEqual(yield* rows(sql, "status_history"), 2)
      // a change recorded, not yet written when the connection goes: it is not written after
      yield* history.append(gone.uuid, "ACTIVE", "SUSPENDED", "a sever")
      yield* connections.delete(gone.uuid)
      const left = (table: "check_results" | "status_history") =>
        sql<{ connection_uuid: string }>`SELECT DISTINCT connection_uuid FROM ${sql(table)}`
      assert.deepStrictEqual(yield* left("check_results"), [{ connection_uuid: kept.uuid }])
      assert.deepStrictEqual(yield* left("status_history"), [{ connection_uuid: kept.uuid }])
      yield* watcher.senderStatuses()
      assert.deepStrictEqual(yield* left("check_results"), [{ connection_uuid: kept.uuid }])
      assert.deepStrictEqual(yield* left("status_history"), [{ connection_uuid: kept.uuid }])
    }).pipe(Effect.scoped, Effect.provide(watcherLayer()))
  )

  it.live(
    "a check in flight when its connection is deleted records nothing: not in memory, not in the store, no history row, no statusChanged",
    () =>
      Effect.gen(function* () {
        const release = yield* Deferred.make<void>()
        const arrivals = yield* Queue.unbounded<void>()
        const slow = (answer: FakeSite.Answer) => () => {
          Queue.unsafeOffer(arrivals, undefined)
          return FakeSite.held(release, answer)
        }
        const remoteSender = yield* FakeSite.make(slow(ACTIVE))
        const remoteReceiver = yield* FakeSite.make(slow(FakeSite.json(200, { success: true, exists: true })))
        const sql = yield* SqlClient.SqlClient
        const connections = yield* Connections
        const history = yield* History
        const watcher = yield* Watcher
        const receiving = yield* receiver(remoteSender.url, "ta")
        const sending = yield* registeredSender(remoteReceiver.url, "tb")
        const changes = yield* history.subscribe
        const statusCheck = yield* Effect.fork(watcher.senderStatuses([receiving.uuid]))
        const verification = yield* Effect.fork(watcher.verifySenders([sending.uuid]))
        yield* Effect.all([Queue.take(arrivals), Queue.take(arrivals)]).pipe(within("both checks on the wire"))

        yield* connections.delete(receiving.uuid)
        yield* connections.delete(sending.uuid)
        // a round (or any unfiltered call) applies the registry's changes first: the watcher knows of the deletions
        assert.deepStrictEqual(yield* watcher.senderStatuses(), [])
        yield* Deferred.succeed(release, undefined)
        // both checks complete, answered by the remotes
        assert.deepStrictEqual(
          (yield* Fiber.join(statusCheck)).map((result) => result.status),
          ["active"]
        )
        assert.deepStrictEqual(
          (yield* Fiber.join(verification)).map((result) => result.outcome),
          ["exists"]
        )

        assert.isNull(yield* watcher.lastSenderStatus(receiving), "not in memory")
        assert.isNull(yield* watcher.lastVerification(sending), "not in memory")
        assert.strictEqual(yield* rows(sql, "check_results"), 0, "not in the store")
        assert.strictEqual(yield* rows(sql, "status_history"), 0, "no history row")
        assert.deepStrictEqual(yield* Queue.takeAll(changes), Chunk.empty(), "nothing published to statusChanged")
      }).pipe(Effect.scoped, Effect.provide(watcherLayer()))
  )

  it.live(
    "the store refusing writes (SQLite read-only): senderStatuses still answers, served from memory, and its rows reach the store once it takes writes again",
    () =>
      Effect.gen(function* () {
        const remote = yield* FakeSite.make(ACTIVE)
        const sql = yield* SqlClient.SqlClient
        const watcher = yield* Watcher
        const first = yield* receiver(`${remote.url}/a`, "ta")
        yield* receiver(`${remote.url}/b`, "tb")
        yield* sql`PRAGMA query_only = ON`
        const results = yield* watcher.senderStatuses()
        assert.deepStrictEqual(
          results.map((result) => result.status),
          ["active", "active"]
        )
        assert.strictEqual((yield* watcher.lastSenderStatus(first))?.status, "active")
        assert.strictEqual(yield* rows(sql, "check_results"), 0)
        assert.strictEqual(yield* rows(sql, "status_history"), 0)
        // statusHistory reads the store for itself: what it holds (nothing yet), not an error, not a hang
        assert.deepStrictEqual(yield* watcher.statusHistory(first), [])

        yield* sql`PRAGMA query_only = OFF`
        // retried behind, 1 s after the last refusal: polled, boundedly
        yield* Effect.all([rows(sql, "check_results"), rows(sql, "status_history")]).pipe(
          Effect.filterOrFail(
            ([results, changes]) => results === 2 && changes === 2,
            () => "not written yet"
          ),
          Effect.retry(Schedule.spaced("50 millis")),
          Effect.timeoutFail({
            duration: "10 seconds",
            onTimeout: () => "the rows did not reach the store within 10 s"
          })
        )
      }).pipe(Effect.scoped, Effect.provide(watcherLayer()))
  )

  it.scoped("statusHistory sees a change not yet written; the server stopping writes it", () =>
    Effect.gen(function* () {
      const dir = yield* tempDir
      const layer = History.Default.pipe(Layer.provideMerge(sqlAt(`${dir}/history.db`)), Layer.provide(withConfig({})))
      const uuid = "01960000-0000-7000-8000-000000000001" as ConnectionUuid
      const stored = Effect.flatMap(SqlClient.SqlClient, (sql) => rows(sql, "status_history"))
      yield* Effect.scoped(
        Effect.gen(function* () {
          const history = yield* History
          history.record(uuid, null, "ACTIVE", null)
          assert.strictEqual(yield* stored, 0, "recorded in memory, not yet written")
          assert.deepStrictEqual(
            (yield* history.latest(uuid)).map((change) => change.to),
            ["ACTIVE"]
          )
          history.record(uuid, "ACTIVE", "ERROR", "http_500")
        }).pipe(Effect.provide(layer))
      )
      // a new process on the same file
      const after = yield* Effect.flatMap(History, (history) => history.latest(uuid)).pipe(
        Effect.provide(layer),
        Effect.scoped
      )
      assert.deepStrictEqual(
        after.map((change) => [change.from, change.to]),
        [
          ["ACTIVE", "ERROR"],
          [null, "ACTIVE"]
        ]
      )
    })
  )
})
