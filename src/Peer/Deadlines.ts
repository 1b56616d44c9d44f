import { Deferred, Duration, Effect, Exit, type Scope } from "effect"

// Every peer call gets the same deadline (PEER_TIMEOUT_MS), so deadlines fall due in the order the calls
// started: a FIFO and one sleeping fiber replace a timer race per call. Time comes from the Clock the
// client was built with, so TestClock moves it.
//
// The FIFO is a doubly linked list, and a call that settles leaves it at once. An array kept settled entries
// until a compaction, and each one it outgrew stayed in the old generation, dead but still pointing at the
// calls then in flight: the young-generation collector counts such pointers as roots, so every call's request,
// reply and handler survived two collections and were promoted (docs/performance.md).

export interface Deadline {
  readonly at: number
  // null once the call settled or expired
  expire: (() => void) | null
  prev: Deadline | null
  next: Deadline | null
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
    let first: Deadline | null = null
    let last: Deadline | null = null
    let idle: Deferred.Deferred<void> | null = null

    // out of the list, pointing nowhere: a node that outlived a collection holds no newer one alive
    const unlink = (deadline: Deadline) => {
      const { prev, next } = deadline
      if (prev === null) first = next
      else prev.next = next
      if (next === null) last = prev
      else next.prev = prev
      deadline.prev = null
      deadline.next = null
    }

    // sleeps until the first deadline; one that settled meanwhile leaves the next, which is no earlier
    const step = Effect.suspend(() => {
      const due = first
      if (due === null) {
        idle = Deferred.unsafeMake<void>(fiberId)
        return Deferred.await(idle)
      }
      const now = clock.unsafeCurrentTimeMillis()
      if (due.at > now) return clock.sleep(Duration.millis(due.at - now))
      unlink(due)
      const expire = due.expire!
      due.expire = null
      expire()
      return Effect.void
    })
    yield* Effect.forkScoped(Effect.forever(step))

    return {
      start: (expire) => {
        const deadline: Deadline = { at: clock.unsafeCurrentTimeMillis() + timeoutMs, expire, prev: last, next: null }
        if (last === null) first = deadline
        else last.next = deadline
        last = deadline
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
        unlink(deadline)
      }
    }
  })
