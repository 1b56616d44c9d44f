import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Deadlines from "../../src/Peer/Deadlines.js"

describe("the deadline scheduler", () => {
  it.scoped("expires each unsettled call exactly at its deadline, in start order, on the Clock", () =>
    Effect.gen(function* () {
      const deadlines = yield* Deadlines.make(5000)
      const expired: Array<string> = []
      const start = (name: string) => deadlines.start(() => expired.push(name))
      start("a")
      yield* TestClock.adjust("1000 millis")
      const b = start("b")
      yield* TestClock.adjust("1000 millis")
      start("c")
      deadlines.settle(b)
      yield* TestClock.adjust("2999 millis")
      assert.deepStrictEqual(expired, [], "nothing before a's deadline (5000 ms)")
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(expired, ["a"])
      yield* TestClock.adjust("1000 millis")
      assert.deepStrictEqual(expired, ["a"], "b settled before its deadline")
      yield* TestClock.adjust("999 millis")
      assert.deepStrictEqual(expired, ["a"])
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(expired, ["a", "c"])
    })
  )

  it.scoped("wakes again for a call started after the queue ran empty", () =>
    Effect.gen(function* () {
      const deadlines = yield* Deadlines.make(100)
      const expired: Array<number> = []
      deadlines.start(() => expired.push(1))
      yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(expired, [1])
      yield* TestClock.adjust("1 hour")
      deadlines.start(() => expired.push(2))
      yield* TestClock.adjust("99 millis")
      assert.deepStrictEqual(expired, [1])
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(expired, [1, 2])
    })
  )
})
