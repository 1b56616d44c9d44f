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

  it.scoped("a burst of settled calls is dropped from the queue; the one left unsettled still expires on time", () =>
    Effect.gen(function* () {
      const deadlines = yield* Deadlines.make(1000)
      const expired: Array<number> = []
      const started = Array.from({ length: 5000 }, (_, i) => deadlines.start(() => expired.push(i)))
      yield* TestClock.adjust("500 millis")
      deadlines.start(() => expired.push(-1))
      for (const [i, deadline] of started.entries()) if (i !== 2500) deadlines.settle(deadline)
      yield* TestClock.adjust("499 millis")
      assert.deepStrictEqual(expired, [])
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(expired, [2500])
      deadlines.settle(started[2500]!)
      yield* TestClock.adjust("499 millis")
      assert.deepStrictEqual(expired, [2500])
      yield* TestClock.adjust("1 millis")
      assert.deepStrictEqual(expired, [2500, -1])
    })
  )
})
