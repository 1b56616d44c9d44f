import { Cause, Effect, Queue, type Scope } from "effect"

export interface WriteBehind {
  // writes what is pending now; resolves once it is in the store
  readonly flush: Effect.Effect<void>
  // to call after each addition: wakes the writer once `limit` are pending, so memory stays bounded
  readonly added: () => void
}

// Rows kept in memory and written in batches instead of one statement each: by a writer fiber once `limit`
// are pending, by `flush` (a round's end, a read that needs them), and when the scope closes. One batch is
// written at a time, in the order they were taken, and a batch once taken is written whole (uninterruptible).
export const make = <B>(options: {
  readonly name: string
  readonly limit: number
  readonly pending: () => number
  // takes everything pending (undefined when nothing is)
  readonly take: () => B | undefined
  readonly write: (batch: B) => Effect.Effect<void>
}): Effect.Effect<WriteBehind, never, Scope.Scope> =>
  Effect.gen(function* () {
    const lock = yield* Effect.makeSemaphore(1)
    const flush = lock.withPermits(1)(
      Effect.suspend(() => {
        const batch = options.take()
        return batch === undefined ? Effect.void : Effect.uninterruptible(options.write(batch))
      })
    )
    const logged = Effect.catchAllCause((cause: Cause.Cause<never>) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.void
        : Effect.logError(`${options.name}: a batch could not be written`, cause)
    )
    const wake = yield* Queue.sliding<void>(1)
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(Queue.take(wake), logged(flush))))
    yield* Effect.addFinalizer(() => logged(flush))
    return {
      flush,
      added: () => {
        if (options.pending() >= options.limit) wake.unsafeOffer(undefined)
      }
    }
  })
