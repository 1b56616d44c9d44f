import { Deferred, Duration, Effect, Exit, type Scope } from "effect"

// Every peer call gets the same deadline (PEER_TIMEOUT_MS), so deadlines fall due in the order the calls
// started: a FIFO and one sleeping fiber replace a timer race per call. Time comes from the Clock the
// client was built with, so TestClock moves it.

export interface Deadline {
  readonly at: number
  // null once the call settled or expired
  expire: (() => void) | null
}

export interface Deadlines {
  // registers a call; `expire` runs when it is still unsettled at its deadline. Clear with `settle`.
  readonly start: (expire: () => void) => Deadline
  readonly settle: (deadline: Deadline) => void
}

export const make = (timeoutMs: number): Effect.Effect<Deadlines, never, Scope.Scope> =>
  Effect.gen(function* () {
    const clock = yield* Effect.clock
    const fiberId = yield* Effect.fiberId
    let queue: Array<Deadline> = []
    let head = 0
    // settled calls still in the queue after the head: dropped once they are most of it, so that a burst of
    // calls answered long before their deadline is not kept until the first of those deadlines
    let settled = 0
    let idle: Deferred.Deferred<void> | null = null

    const step = Effect.suspend(() => {
      while (head < queue.length && queue[head]!.expire === null) {
        head++
        settled--
      }
      if (head === queue.length) {
        queue = []
        head = 0
        settled = 0
        idle = Deferred.unsafeMake<void>(fiberId)
        return Deferred.await(idle)
      }
      if (head > 1024 && head * 2 > queue.length) {
        queue = queue.slice(head)
        head = 0
      }
      const due = queue[head]!
      const now = clock.unsafeCurrentTimeMillis()
      if (due.at > now) return clock.sleep(Duration.millis(due.at - now))
      head++
      const expire = due.expire!
      due.expire = null
      expire()
      return Effect.void
    })
    yield* Effect.forkScoped(Effect.forever(step))

    return {
      start: (expire) => {
        const deadline: Deadline = { at: clock.unsafeCurrentTimeMillis() + timeoutMs, expire }
        queue.push(deadline)
        if (idle !== null) {
          const wake = idle
          idle = null
          Deferred.unsafeDone(wake, Exit.void)
        }
        return deadline
      },
      settle: (deadline) => {
        if (deadline.expire === null) return
        deadline.expire = null
        settled++
        if (settled > 1024 && settled * 2 > queue.length - head) {
          queue = queue.slice(head).filter((entry) => entry.expire !== null)
          head = 0
          settled = 0
        }
      }
    }
  })
