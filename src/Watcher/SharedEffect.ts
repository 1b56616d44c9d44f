import { Effect, Fiber, type Scope } from "effect"

// Concurrent callers asking for the same key share one running effect (a check and its recording). The shared
// fiber lives in the owner's scope and is interrupted when its last caller leaves, so the work still dies with whoever asked.
export const make = <K, A, E>(): Effect.Effect<
  (key: K, effect: Effect.Effect<A, E>) => Effect.Effect<A, E>,
  never,
  Scope.Scope
> =>
  Effect.map(Effect.scope, (scope) => {
    const inFlight = new Map<K, { readonly fiber: Fiber.RuntimeFiber<A, E>; waiters: number }>()

    const start = (key: K, effect: Effect.Effect<A, E>) =>
      Effect.gen(function* () {
        // forked inside the caller's uninterruptible mask: make the shared work interruptible again
        const fiber = yield* Effect.forkIn(Effect.interruptible(effect), scope)
        const entry = { fiber, waiters: 0 }
        inFlight.set(key, entry)
        fiber.addObserver(() => {
          if (inFlight.get(key) === entry) inFlight.delete(key)
        })
        return entry
      })

    return (key, effect) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          const entry = inFlight.get(key) ?? (yield* start(key, effect))
          entry.waiters++
          return yield* restore(Fiber.join(entry.fiber)).pipe(
            Effect.ensuring(Effect.sync(() => entry.waiters--)),
            Effect.onInterrupt(() => {
              if (entry.waiters > 0) return Effect.void
              if (inFlight.get(key) === entry) inFlight.delete(key)
              return Fiber.interrupt(entry.fiber)
            })
          )
        })
      )
  })
