import * as RateLimiter from "@effect/experimental/RateLimiter"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { boundedStoreMemory } from "../../src/Peer/RateLimit.js"

const limiterOver = (maxKeys: number) => RateLimiter.layer.pipe(Layer.provide(boundedStoreMemory(maxKeys)))

// 3 a minute: a token every 20 s
const take = (key: string) =>
  Effect.flatMap(RateLimiter.RateLimiter, (limiter) =>
    limiter.consume({ algorithm: "token-bucket", onExceeded: "fail", window: "1 minute", limit: 3, key }).pipe(
      Effect.map((result) => result.remaining),
      Effect.catchAll((error) =>
        Effect.succeed(error.reason === "Exceeded" ? ("exceeded" as const) : ("store error" as const))
      )
    )
  )

describe("the bounded token-bucket store", () => {
  it.effect("empties after the limit, refills one token per window/limit, answers exceeded between", () =>
    Effect.gen(function* () {
      const taken = yield* Effect.forEach([1, 2, 3, 4], () => take("a"))
      assert.deepStrictEqual(taken.slice(0, 3), [2, 1, 0])
      assert.strictEqual(taken[3], "exceeded")
      yield* TestClock.adjust("19999 millis")
      assert.strictEqual(yield* take("a"), "exceeded")
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(yield* take("a"), 0)
    }).pipe(Effect.provide(limiterOver(10)))
  )

  it.effect("keeps at most maxKeys buckets, forgetting the least recently seen first", () =>
    Effect.gen(function* () {
      yield* Effect.forEach([1, 2, 3], () => take("a"))
      yield* Effect.forEach([1, 2, 3], () => take("b"))
      // "a" seen again: "b" is now the least recent, and "c" pushes it out
      assert.strictEqual(yield* take("a"), "exceeded")
      yield* take("c")
      assert.strictEqual(yield* take("b"), 2, "b was forgotten: a full bucket again")
      // b's return pushed out the least recent of a and c: a
      assert.strictEqual(yield* take("c"), 1)
      assert.strictEqual(yield* take("a"), 2)
    }).pipe(Effect.provide(limiterOver(2)))
  )
})
