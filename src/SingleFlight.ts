import { Effect, type Exit, type Fiber } from "effect"

// Started with a callback for its outcome; returns the function that cancels it.
export type Task<A, E> = (done: (exit: Exit.Exit<A, E>) => void) => () => void

type Resume<A, E> = (effect: Effect.Effect<A, E>) => void

// One task in flight: the asker who started it, and an array only once a second one joins (most checks have
// one asker, so no array is made for them)
interface Flight<A, E> {
  first: Resume<A, E> | undefined
  others: Array<Resume<A, E>> | undefined
  cancel: () => void
}

const notStarted = () => {}

// Askers that leave together. An asker leaves its flight when interrupted; Effect makes a canceler returned by
// `Effect.async` an onInterrupt frame around every ask (uninterruptibleMask, matchCause, exitMatch), which was a
// large part of a check's fiber steps, and promoted with what it reached to the old generation
// (docs/performance.md). A fiber that asks one flight after another (a CompletionOrder worker) runs its loop
// under `leavingTogether`: its asks then keep how to leave in the fiber's slot, and one onExit for the whole
// loop leaves the flight it waits on. Other askers get the canceler as before.
interface Slot {
  leave: (() => void) | undefined
}
const slots = new WeakMap<Fiber.RuntimeFiber<unknown, unknown>, Slot>()

export const leavingTogether = <A, E, R>(loop: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.withFiberRuntime<A, E, R>((fiber) => {
    const slot: Slot = { leave: undefined }
    slots.set(fiber, slot)
    return Effect.onExit(loop, () =>
      Effect.sync(() => {
        slots.delete(fiber)
        const leave = slot.leave
        slot.leave = undefined
        leave?.()
      })
    )
  })

// An ask's callback form: joins the flight with `resume` (told the answer once, unless it left before) and
// returns how to leave. CompletionOrder's workers use it to go from one check to the next without a fiber step
// each (askOf).
export type Ask<A, E> = (resume: Resume<A, E>) => () => void

const AskKey: unique symbol = Symbol.for("syncwatch/SingleFlight/Ask")
interface Askable<A, E> {
  [AskKey]?: Ask<A, E>
}
// the callback form of an effect made by a SingleFlight, undefined for any other effect
export const askOf = <A, E, R>(effect: Effect.Effect<A, E, R>): Ask<A, E> | undefined =>
  (effect as Askable<A, E>)[AskKey]

// Asks one after another in one wait of the fiber: `first` is joined, and each answer is handed to `then`, which
// says what comes next: another ask, joined from the answer's callback without a fiber step, or the effect the
// fiber resumes with (which ends the chain). An answer that comes while its ask is being joined is taken by the
// loop, not by a nested call. The fiber leaves the ask it waits on when it ends first: through its slot under
// `leavingTogether`, by a canceler otherwise. A `then` that throws dies.
export const chain = <A, E, B, E2>(
  first: Ask<A, E>,
  then: (answer: Effect.Effect<A, E>) => Ask<A, E> | Effect.Effect<B, E2>
): Effect.Effect<B, E2> =>
  Effect.withFiberRuntime<B, E2>((fiber) => {
    const slot = slots.get(fiber)
    return Effect.async<B, E2>((resume) => {
      let stopped = false
      let leaving: () => void = notStarted
      let joining = false
      let early: Effect.Effect<A, E> | undefined
      const stop = () => {
        stopped = true
        leaving()
      }
      const finish = (effect: Effect.Effect<B, E2>) => {
        stopped = true
        leaving = notStarted
        if (slot !== undefined) slot.leave = undefined
        resume(effect)
      }
      const next = (answer: Effect.Effect<A, E>): Ask<A, E> | undefined => {
        let after: Ask<A, E> | Effect.Effect<B, E2>
        try {
          after = then(answer)
        } catch (defect) {
          after = Effect.die(defect)
        }
        if (typeof after === "function") return after
        finish(after)
        return undefined
      }
      const run = (start: Ask<A, E>) => {
        for (let ask: Ask<A, E> | undefined = start; ask !== undefined; ) {
          early = undefined
          joining = true
          try {
            leaving = ask(answered)
          } catch (defect) {
            joining = false
            return finish(Effect.die(defect))
          }
          joining = false
          if (early === undefined) return
          ask = next(early)
        }
      }
      const answered: Resume<A, E> = (answer) => {
        if (stopped) return
        if (joining) {
          early = answer
          return
        }
        const ask = next(answer)
        if (ask !== undefined) run(ask)
      }
      run(first)
      if (stopped) return
      if (slot === undefined) return Effect.sync(stop)
      slot.leave = stop
    })
  })

// Concurrent callers asking for the same key share one running task. The task is a callback computation
// (a request on the wire), not a fiber: each caller waits in Effect.async, and when the last one leaves
// the task is cancelled, so the work still dies with whoever asked. `answer` (when given) is what every
// asker resumes with, made once from the task's outcome: e.g. the outcome itself, or a log line before it.
export const make = <K, A, E>() => {
  const inFlight = new Map<K, Flight<A, E>>()

  const leave = (key: K, flight: Flight<A, E>, resume: Resume<A, E>) => {
    if (flight.first === resume) flight.first = undefined
    else if (flight.others !== undefined) flight.others = flight.others.filter((waiter) => waiter !== resume)
    if (flight.first !== undefined || (flight.others?.length ?? 0) > 0 || inFlight.get(key) !== flight) return
    inFlight.delete(key)
    flight.cancel()
  }

  const join = (
    key: K,
    task: Task<A, E>,
    answer: ((exit: Exit.Exit<A, E>) => Effect.Effect<A, E>) | undefined,
    resume: Resume<A, E>
  ): (() => void) => {
    let flight = inFlight.get(key)
    if (flight === undefined) {
      const started: Flight<A, E> = { first: resume, others: undefined, cancel: notStarted }
      flight = started
      inFlight.set(key, started)
      started.cancel = task((exit) => {
        if (inFlight.get(key) === started) inFlight.delete(key)
        const { first, others } = started
        started.first = undefined
        started.others = undefined
        // a settled flight holds nothing of its call: a canceler (and with it this flight) lives in a frame
        // that can outlive the call, and a flight still pointing at the request kept every call's request
        // and reply alive past two scavenges, promoted to the old generation (docs/performance.md)
        started.cancel = notStarted
        const answered = answer === undefined ? exit : answer(exit)
        first?.(answered)
        if (others !== undefined) for (const waiter of others) waiter(answered)
      })
    } else if (flight.first === undefined) {
      flight.first = resume
    } else if (flight.others === undefined) {
      flight.others = [resume]
    } else {
      flight.others.push(resume)
    }
    const joined = flight
    // an asker that left after its answer changes nothing: the flight is no longer in flight
    return () => leave(key, joined, resume)
  }

  // the ask, and the effect that waits on it in Effect.async, carrying it for askOf
  return (key: K, task: Task<A, E>, answer?: (exit: Exit.Exit<A, E>) => Effect.Effect<A, E>): Effect.Effect<A, E> => {
    const ask: Ask<A, E> = (resume) => join(key, task, answer, resume)
    const effect: Effect.Effect<A, E> & Askable<A, E> = Effect.withFiberRuntime<A, E>((fiber) => {
      const slot = slots.get(fiber)
      return Effect.async<A, E>((resume) => {
        const leaving = ask(resume)
        if (slot === undefined) return Effect.sync(leaving)
        slot.leave = leaving
      })
    })
    effect[AskKey] = ask
    return effect
  }
}
