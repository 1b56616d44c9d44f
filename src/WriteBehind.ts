import { Cause, type ConfigError, Deferred, Duration, Effect, Exit, Option, Queue, type Scope } from "effect"
import { databaseTimeout } from "./Db/Target.js"
import type { StoreUnavailable } from "./Domain/Errors.js"
import { loopTurn } from "./LoopTurn.js"

export interface WriteBehind {
  // writes what is pending now and waits for it, at most DATABASE_TIMEOUT_MS. Never fails: with the store
  // down the rows stay pending and are retried behind, and the caller goes on (a round's results were served)
  readonly flush: Effect.Effect<void>
  // to call after each addition: wakes the writer once `limit` are pending, so memory stays bounded; says
  // whether it did (the writer wakes for nothing else but a flush, the scope's end and a retry's backoff)
  readonly added: () => boolean
}

// After a failed write the next try is 1 s later, then 2 s, 4 s… at most 30 s apart; a flush tries at once.
export const retryDelay = (failures: number): Duration.Duration =>
  Duration.millis(Math.min(30_000, 1000 * 2 ** Math.max(0, failures - 1)))

// rows per write (one transaction each): SQLite's one connection serves nothing else while a transaction is
// open, so a batch of 100,000 rows (a first round at that size) would hold off every other statement, a
// /health probe's too, for the whole of it
export const ROWS_PER_WRITE = 200

// Rows kept in memory and written in batches instead of one statement each, by one writer fiber: once
// `limit` are pending, when asked by `flush` (a round's end, a read that needs them), and when the scope
// closes. One batch at a time, in the order taken, in writes of ROWS_PER_WRITE rows, each written whole
// (uninterruptible), the event loop free for others between two. The rows the store could not take
// (StoreUnavailable), from the write that failed on, are put back in front of what came since and retried
// with the backoff above (a write that committed is never written again): the outage is logged once when it
// starts and once when the store is back. A flush waits for its
// rows at most DATABASE_TIMEOUT_MS (a store that does not answer holds the write, not the caller); the
// write itself is never abandoned, so a batch that may still commit is never written twice.
export const make = <B extends ReadonlyArray<unknown>>(options: {
  readonly name: string
  readonly limit: number
  readonly pending: () => number
  // takes everything pending (undefined when nothing is)
  readonly take: () => B | undefined
  // a batch the store could not take, back in front of what was added since
  readonly putBack: (batch: B) => void
  readonly write: (batch: B) => Effect.Effect<void, StoreUnavailable>
}): Effect.Effect<WriteBehind, ConfigError.ConfigError, Scope.Scope> =>
  Effect.gen(function* () {
    const patience = yield* databaseTimeout
    const wake = yield* Queue.sliding<void>(1)
    // resolved when the next attempt ends: it takes everything pending when it starts
    let next = yield* Deferred.make<void>()
    let busy = false
    // attempts failed in a row: above 0 while the store is down
    let failures = 0

    const attempt = Effect.gen(function* () {
      const waiting = next
      next = yield* Deferred.make<void>()
      const batch = options.take()
      if (batch === undefined) {
        // nothing waits any more (its connections deleted): no outage to wait out
        failures = 0
      } else {
        busy = true
        let written = 0
        let exit: Exit.Exit<void, StoreUnavailable> = Exit.void
        while (written < batch.length) {
          exit = yield* Effect.exit(options.write(batch.slice(written, written + ROWS_PER_WRITE) as unknown as B))
          if (Exit.isFailure(exit)) break
          written += ROWS_PER_WRITE
          if (written < batch.length) yield* loopTurn
        }
        busy = false
        const refused = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        if (Exit.isSuccess(exit)) {
          if (failures > 0) {
            yield* Effect.logInfo(`${options.name}: the store is back; ${batch.length} rows that waited are written`)
          }
          failures = 0
        } else if (Option.isSome(refused)) {
          options.putBack(batch.slice(written) as unknown as B)
          if (failures === 0) {
            yield* Effect.logError(
              `${options.name}: the store is unavailable; ${options.pending()} rows wait in memory and are retried behind`
            ).pipe(Effect.annotateLogs("reason", refused.value.reason))
          }
          failures++
        } else {
          yield* Effect.logError(
            `${options.name}: a batch could not be written (${batch.length - written} rows dropped)`,
            exit.cause
          )
        }
      }
      yield* Deferred.succeed(waiting, undefined)
    }).pipe(Effect.uninterruptible)

    // woken by the limit or a flush; while the store is down, also by the backoff
    const turn = Effect.suspend(() =>
      failures === 0 ? Queue.take(wake) : Effect.raceFirst(Effect.sleep(retryDelay(failures)), Queue.take(wake))
    )
    yield* Effect.forkScoped(Effect.forever(Effect.zipRight(turn, attempt)))

    const flush = Effect.suspend(() => {
      if (options.pending() === 0 && !busy) return Effect.void
      const waiting = next
      wake.unsafeOffer(undefined)
      return Effect.ignore(Effect.timeout(Deferred.await(waiting), patience))
    })
    yield* Effect.addFinalizer(() =>
      Effect.zipRight(
        flush,
        Effect.suspend(() =>
          options.pending() === 0
            ? Effect.void
            : Effect.logError(
                `${options.name}: ${options.pending()} rows could not be written before the server stopped`
              )
        )
      )
    )
    return {
      flush,
      added: () => failures === 0 && options.pending() >= options.limit && wake.unsafeOffer(undefined)
    }
  })
