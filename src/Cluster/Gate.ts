import { Effect } from "effect"

// At most `permits` checks at a time, the others waiting. Not Effect's Semaphore: each release there wakes every
// waiter to try again, and an owner has thousands waiting in a round (measured: half its CPU in the garbage
// collector); here a release hands its permit to one waiter. Waiters come in batches (one call's checks: an ask's,
// a round's) and a permit goes to the oldest batch waiting, in turn within it: an owner's asks complete in the
// order they came, each answered as soon as it can be, instead of all of them at the end, interleaved.
export const make = (permits: number) => {
  let free = permits
  let batches = 0
  // the batches with waiters, oldest first
  const waiting: Array<{ readonly batch: number; readonly queue: Array<() => void> }> = []
  const release = () => {
    while (waiting.length > 0 && waiting[0]!.queue.length === 0) waiting.shift()
    const next = waiting[0]?.queue.shift()
    if (next === undefined) free++
    else next()
  }
  const queueOf = (batch: number) => {
    let at = waiting.length
    while (at > 0 && waiting[at - 1]!.batch > batch) at--
    if (at > 0 && waiting[at - 1]!.batch === batch) return waiting[at - 1]!.queue
    const queue: Array<() => void> = []
    waiting.splice(at, 0, { batch, queue })
    return queue
  }
  const acquire = (batch: number) =>
    Effect.async<void>((resume) => {
      if (free > 0) {
        free--
        return resume(Effect.void)
      }
      let granted = false
      const go = () => {
        granted = true
        resume(Effect.void)
      }
      const queue = queueOf(batch)
      queue.push(go)
      return Effect.sync(() => {
        if (granted) return release()
        const at = queue.indexOf(go)
        if (at >= 0) queue.splice(at, 1)
      })
    })
  return () => {
    const batch = batches++
    return <A>(effect: () => Effect.Effect<A>): Effect.Effect<A> =>
      Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(restore(acquire(batch)), Effect.ensuring(restore(Effect.suspend(effect)), Effect.sync(release)))
      )
  }
}
