import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, TestClock } from "effect"
import { History } from "../src/History.js"
import * as FakeSite from "./utils/FakeSite.js"
import { receiver, watcherLayer } from "./utils/Watcher.js"

describe("History", () => {
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
      assert.deepStrictEqual(
        (yield* history.latest(connection.uuid)).map((c) => c.to),
        ["OFFLINE"],
        "the row older than 3 days is gone within the hour"
      )
    }).pipe(Effect.provide(watcherLayer({ HISTORY_RETENTION_DAYS: "3" })))
  )

  it.effect("HISTORY_RETENTION_DAYS=0 stops start-up naming it", () =>
    Effect.gen(function* () {
      const exit = yield* Layer.build(watcherLayer({ HISTORY_RETENTION_DAYS: "0" })).pipe(Effect.scoped, Effect.exit)
      assert.isTrue(Exit.isFailure(exit) && JSON.stringify(exit.cause).includes("HISTORY_RETENTION_DAYS"))
    })
  )
})
