import { Effect, Exit } from "effect"

// Started with a callback for its outcome; returns the function that cancels it.
export type Task<A, E> = (done: (exit: Exit.Exit<A, E>) => void) => () => void

// Concurrent callers asking for the same key share one running task. The task is a callback computation
// (a request on the wire), not a fiber: each caller waits in Effect.async, and when the last one leaves
// the task is cancelled, so the work still dies with whoever asked.
export const make = <K, A, E>() => {
  const inFlight = new Map<K, { waiters: Array<(exit: Exit.Exit<A, E>) => void>; cancel: () => void }>()

  return (key: K, task: Task<A, E>): Effect.Effect<A, E> =>
    Effect.async<A, E>((resume) => {
      let entry = inFlight.get(key)
      if (entry === undefined) {
        const started = { waiters: [resume], cancel: () => {} }
        entry = started
        inFlight.set(key, started)
        started.cancel = task((exit) => {
          if (inFlight.get(key) === started) inFlight.delete(key)
          for (const waiter of started.waiters) waiter(exit)
          started.waiters = []
        })
      } else {
        entry.waiters.push(resume)
      }
      const joined = entry
      return Effect.sync(() => {
        joined.waiters = joined.waiters.filter((waiter) => waiter !== resume)
        if (joined.waiters.length > 0 || inFlight.get(key) !== joined) return
        inFlight.delete(key)
        joined.cancel()
      })
    })
}

// the same task, its value mapped in its own callback (e.g. recorded once, however many callers share it)
export const map =
  <A, E, B>(task: Task<A, E>, f: (a: A) => B): Task<B, E> =>
  (done) =>
    task((exit) => done(Exit.map(exit, f)))
