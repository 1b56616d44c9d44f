import * as SqlClient from "@effect/sql/SqlClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Metric, Schedule, TestClock, TestServices } from "effect"
import type { ConnectionUuid } from "../src/Domain/Connection.js"
import { History } from "../src/History.js"
import { SqlTest, withConfig } from "./utils/Db.js"
import * as FakeSite from "./utils/FakeSite.js"
import { STORES } from "./utils/Stores.js"
import { receiver, watcherLayer } from "./utils/Watcher.js"

describe.each(STORES)("History on $name", (store) => {
  it.scoped("keeps rows HISTORY_RETENTION_DAYS days", () =>
    Effect.gen(function* () {
      const remote = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active", name: "n" }))
      const connection = yield* receiver(remote.url, "t1")
      const history = yield* History
      yield* history.append(connection.uuid, null, "ACTIVE", null)
      yield* TestClock.adjust("2 days")
      yield* history.append(connection.uuid, "ACTIVE", "OFFLINE", "timeout")
      yield* TestClock.adjust("1 day")
      assert.lengthOf(yield* history.latest(connection.uuid), 2, "3 days old: kept")
      yield* TestClock.adjust("1 hour")
      // the prune's DELETE is real I/O on PostgreSQL: awaited, boundedly, on the live clock
      const left = yield* history.latest(connection.uuid).pipe(
        Effect.map((changes) => changes.map((c) => c.to)),
        Effect.filterOrFail(
          (to) => to.length < 2,
          () => "not pruned yet"
        ),
        Effect.retry(Schedule.spaced("20 millis")),
        Effect.timeoutFail({ duration: "10 seconds", onTimeout: () => "no prune within 10 s" }),
        TestServices.provideLive
      )
      assert.deepStrictEqual(left, ["OFFLINE"], "the row older than 3 days is gone within the hour")
    }).pipe(Effect.provide(watcherLayer({ HISTORY_RETENTION_DAYS: "3" }, store.layer)))
  )

  it.effect("HISTORY_RETENTION_DAYS=0 stops start-up naming it", () =>
    Effect.gen(function* () {
      const exit = yield* Layer.build(watcherLayer({ HISTORY_RETENTION_DAYS: "0" })).pipe(Effect.scoped, Effect.exit)
      assert.isTrue(Exit.isFailure(exit) && JSON.stringify(exit.cause).includes("HISTORY_RETENTION_DAYS"))
    })
  )
})

// the process-wide counter of history rows dropped unwritten
const droppedRows = Effect.map(Metric.snapshot, (pairs) => {
  const pair = pairs.find((p) => p.metricKey.name === "syncwatch_history_rows_dropped_total")
  return pair === undefined ? 0 : Number((pair.metricState as unknown as { readonly count: number }).count)
})

describe("History while the store refuses writes (SQLite read-only)", () => {
  it.scoped(
    "rows wait in memory, at most HISTORY_MAX_PENDING (the oldest dropped, counted), and are written in order once it takes them again",
    () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const history = yield* History
        const uuid = "01960000-0000-7000-8000-000000000001" as ConnectionUuid
        const stored = Effect.map(sql<{ to_state: string }>`SELECT to_state FROM status_history ORDER BY id`, (rows) =>
          rows.map((row) => row.to_state)
        )
        const droppedBefore = yield* droppedRows
        yield* sql`PRAGMA query_only = ON`
        for (const to of ["A", "B", "C", "D", "E"]) history.record(uuid, null, to, null)
        // refused: the flush returns, and the read goes on to the store for what it holds
        yield* history.flush
        assert.deepStrictEqual(yield* history.latest(uuid), [])
        history.record(uuid, null, "F", null)
        assert.deepStrictEqual(yield* stored, [])

        yield* sql`PRAGMA query_only = OFF`
        // retried behind (WriteBehind.test.ts times the backoff): at the latest 30 s after the last refusal
        yield* TestClock.adjust("30 seconds")
        assert.deepStrictEqual(yield* stored, ["D", "E", "F"])
        assert.strictEqual((yield* droppedRows) - droppedBefore, 3)
      }).pipe(
        Effect.provide(
          History.Default.pipe(Layer.provideMerge(SqlTest), Layer.provide(withConfig({ HISTORY_MAX_PENDING: "3" })))
        )
      )
  )
})
