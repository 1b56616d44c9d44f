import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { DateTime, Effect, Layer, Schedule } from "effect"
import { Connections } from "../../src/Connections.js"
import type { ConnectionUuid } from "../../src/Domain/Connection.js"
import { History } from "../../src/History.js"
import { Watcher } from "../../src/Watcher.js"
import { sqlAt, tempDir, withConfig } from "../utils/Db.js"
import * as FakeSite from "../utils/FakeSite.js"
import { receiver, watcherLayer } from "../utils/Watcher.js"

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
        assert.deepStrictEqual(stored, [{ outcome: "active", checked_at: DateTime.formatIso(results[7]!.checkedAt) }])
        // the same outcome again: the rows are updated in place, no history
        yield* watcher.senderStatuses()
        assert.strictEqual(yield* rows(sql, "check_results"), RECEIVERS)
        assert.strictEqual(yield* rows(sql, "status_history"), RECEIVERS)
      }).pipe(Effect.scoped, Effect.provide(watcherLayer())),
    { timeout: 120_000 }
  )

  it.live("a deleted connection's row leaves the store with the next write, and does not come back", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(ACTIVE)
      const sql = yield* SqlClient.SqlClient
      const connections = yield* Connections
      const watcher = yield* Watcher
      const gone = yield* receiver(`${remote.url}/a`, "ta")
      const kept = yield* receiver(`${remote.url}/b`, "tb")
      yield* watcher.senderStatuses()
      assert.strictEqual(yield* rows(sql, "check_results"), 2)
      yield* connections.delete(gone.uuid)
      yield* watcher.senderStatuses()
      const left = yield* sql<{ connection_uuid: string }>`SELECT connection_uuid FROM check_results`
      assert.deepStrictEqual(left, [{ connection_uuid: kept.uuid }])
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
