import { type Cause, Chunk, type DateTime, Effect, Queue, type Scope, Stream, Take } from "effect"
import {
  type ReceiverConnectionSevered,
  type ReceiverVerification,
  type SenderStatusFetched,
  SeveringHeld,
  type StatusEvent,
  StatusRound,
  StatusRoundCompleted
} from "../Domain/Events.js"

const trusted = { disableValidation: true } as const

// what one round found, handed to its audience when it completes
export interface Outcome {
  readonly statuses: ReadonlyArray<SenderStatusFetched>
  readonly verifications: ReadonlyArray<ReceiverVerification>
  readonly severed: ReadonlyArray<ReceiverConnectionSevered>
  readonly held: { readonly notFound: number; readonly eligible: number } | undefined
  readonly completedAt: DateTime.Utc
}

// One round's events, built once for everyone who receives that round: the results themselves, one
// summary per distinct subscriber round number (statusEvents counts each subscriber's rounds from 1), one
// StatusRound for every page (numbered by the interval's round).
export class Broadcast {
  private readonly summaries = new Map<number, StatusRoundCompleted>()
  private readonly helds = new Map<number, SeveringHeld>()
  private page: StatusRound | undefined

  constructor(readonly number: number) {}

  held(round: number, held: NonNullable<Outcome["held"]>): SeveringHeld {
    let event = this.helds.get(round)
    if (event === undefined) {
      event = new SeveringHeld({ round, notFound: held.notFound, eligible: held.eligible }, trusted)
      this.helds.set(round, event)
    }
    return event
  }

  summary(round: number, outcome: Outcome): StatusRoundCompleted {
    let event = this.summaries.get(round)
    if (event === undefined) {
      const checked = outcome.statuses.length + outcome.verifications.length
      event = new StatusRoundCompleted({ round, checked, severed: outcome.severed.length }, trusted)
      this.summaries.set(round, event)
    }
    return event
  }

  statusRound(outcome: Outcome): StatusRound {
    this.page ??= new StatusRound(
      {
        round: this.number,
        completedAt: outcome.completedAt,
        senderStatuses: outcome.statuses,
        verifications: outcome.verifications,
        severed: outcome.severed,
        held:
          outcome.held === undefined
            ? null
            : new SeveringHeld({ round: this.number, notFound: outcome.held.notFound, eligible: outcome.held.eligible })
      },
      trusted
    )
    return this.page
  }
}

// One subscriber of the rounds. Delivery never waits: each subscriber has its own unbounded queue, read at its
// own pace (the GraphQL edge bounds what each socket may hold), so a round never waits on a reader.
export interface Subscriber {
  // its rounds apply the severed rule (the monitor, an admin)
  readonly severs: boolean
  // it has had its first round: it gets the interval's shared rounds that start from now on
  ready: boolean
  readonly status: (result: SenderStatusFetched) => void
  readonly severing: (broadcast: Broadcast, outcome: Pick<Outcome, "held" | "severed">) => void
  readonly completed: (broadcast: Broadcast, outcome: Outcome) => void
  readonly fail: (cause: Cause.Cause<never>) => void
  readonly end: () => void
}

export interface Subscribed<A> {
  readonly subscriber: Subscriber
  readonly stream: Stream.Stream<A>
}

const queued = <A>(queue: Queue.Queue<Take.Take<A>>) => ({
  fail: (cause: Cause.Cause<never>) => void queue.unsafeOffer(Take.failCause(cause)),
  end: () => void queue.unsafeOffer(Take.end),
  stream: Stream.flattenTake(Stream.fromQueue(queue))
})

// statusEvents: each result as it completes, the severs, then its own round's summary. The results of one turn
// of the event loop (checks complete in bursts) reach the subscriber's stream as one chunk: its reader wakes
// once for them, not once per result
export const events = (severs: boolean): Effect.Effect<Subscribed<StatusEvent>, never, Scope.Scope> =>
  Effect.map(Effect.acquireRelease(Queue.unbounded<Take.Take<StatusEvent>>(), Queue.shutdown), (queue) => {
    const { fail, end, stream } = queued(queue)
    let batch: Array<StatusEvent> = []
    let scheduled = false
    const flush = () => {
      scheduled = false
      if (batch.length === 0) return
      const taken = batch
      batch = []
      queue.unsafeOffer(Take.chunk(Chunk.unsafeFromArray(taken)))
    }
    const offer = (event: StatusEvent) => {
      batch.push(event)
      if (scheduled) return
      scheduled = true
      setImmediate(flush)
    }
    let rounds = 0
    const subscriber: Subscriber = {
      severs,
      ready: false,
      status: offer,
      severing: (broadcast, { held, severed }) => {
        if (held !== undefined) offer(broadcast.held(rounds + 1, held))
        for (const event of severed) offer(event)
      },
      completed: (broadcast, outcome) => {
        offer(broadcast.summary(++rounds, outcome))
        flush()
      },
      fail: (cause) => {
        flush()
        fail(cause)
      },
      end: () => {
        flush()
        end()
      }
    }
    return { subscriber, stream }
  })

// statusRounds: one message per round
export const rounds = (severs: boolean): Effect.Effect<Subscribed<StatusRound>, never, Scope.Scope> =>
  Effect.map(Effect.acquireRelease(Queue.unbounded<Take.Take<StatusRound>>(), Queue.shutdown), (queue) => {
    const { fail, end, stream } = queued(queue)
    const subscriber: Subscriber = {
      severs,
      ready: false,
      status: () => {},
      severing: () => {},
      completed: (broadcast, outcome) => void queue.unsafeOffer(Take.of(broadcast.statusRound(outcome))),
      fail,
      end
    }
    return { subscriber, stream }
  })

// a round's listeners, told in turn (a snapshot: who joins during the round gets the next one)
export const audience = (subscribers: ReadonlyArray<Subscriber>, broadcast: Broadcast) => ({
  status: (result: SenderStatusFetched) => {
    for (const s of subscribers) s.status(result)
  },
  severing: (outcome: Pick<Outcome, "held" | "severed">) => {
    for (const s of subscribers) s.severing(broadcast, outcome)
  },
  completed: (outcome: Outcome) => {
    for (const s of subscribers) s.completed(broadcast, outcome)
  }
})
export type Audience = ReturnType<typeof audience>
