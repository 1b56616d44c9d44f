import { type Cause, Chunk, type DateTime, Exit } from "effect"
import {
  type ReceiverConnectionSevered,
  type ReceiverVerification,
  type SenderStatusFetched,
  SeveringHeld,
  type StatusEvent,
  StatusRound,
  StatusRoundCompleted
} from "../Domain/Events.js"
import type * as Feed from "../Feed.js"

const trusted = { disableValidation: true } as const

// what one round found, handed to its audience when it completes
export interface Outcome {
  readonly statuses: ReadonlyArray<SenderStatusFetched>
  readonly verifications: ReadonlyArray<ReceiverVerification>
  readonly severed: ReadonlyArray<ReceiverConnectionSevered>
  readonly held: { readonly notFound: number; readonly eligible: number } | undefined
  readonly completedAt: DateTime.Utc
  // the registry's version when the round began, and whether the round applied the severed rule
  readonly version: number
  readonly severing: boolean
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

// One subscriber of the rounds. Delivery never waits: a round hands its events to each subscriber's listener in
// turn (the GraphQL edge bounds what each socket may hold), so a round never waits on a reader.
export interface Subscriber {
  // its rounds apply the severed rule (the monitor, an admin)
  readonly severs: boolean
  // it takes each result as it completes (statusEvents), not only the round's end
  readonly resultByResult: boolean
  // it has had its first round: it gets the interval's shared rounds that start from now on
  ready: boolean
  // one turn's results: the same chunk for every subscriber of the round
  readonly statuses: (results: Chunk.Chunk<SenderStatusFetched>) => void
  readonly severing: (broadcast: Broadcast, outcome: Pick<Outcome, "held" | "severed">) => void
  readonly completed: (broadcast: Broadcast, outcome: Outcome) => void
  readonly fail: (cause: Cause.Cause<never>) => void
  readonly end: () => void
}

const ending = <A>(listener: Feed.Listener<A>) => ({
  fail: (cause: Cause.Cause<never>) => listener.end(Exit.failCause(cause)),
  end: () => listener.end(Exit.void)
})

// statusEvents: each result as it completes, the severs, then its own round's summary (counted from 1)
export const events =
  (severs: boolean) =>
  (listener: Feed.Listener<StatusEvent>): Subscriber => {
    let rounds = 0
    return {
      severs,
      resultByResult: true,
      ready: false,
      statuses: listener.chunk,
      severing: (broadcast, { held, severed }) => {
        const told: Array<StatusEvent> = held === undefined ? [] : [broadcast.held(rounds + 1, held)]
        for (const event of severed) told.push(event)
        if (told.length > 0) listener.chunk(Chunk.unsafeFromArray(told))
      },
      completed: (broadcast, outcome) => listener.chunk(Chunk.of(broadcast.summary(++rounds, outcome))),
      ...ending(listener)
    }
  }

// statusRounds: one message per round
export const rounds =
  (severs: boolean) =>
  (listener: Feed.Listener<StatusRound>): Subscriber => ({
    severs,
    resultByResult: false,
    ready: false,
    statuses: () => {},
    severing: () => {},
    completed: (broadcast, outcome) => listener.chunk(Chunk.of(broadcast.statusRound(outcome))),
    ...ending(listener)
  })

// a round's listeners, told in turn (a snapshot: who joins during the round gets the next one). The results of
// one turn of the event loop (checks complete in bursts) go out as one chunk, the same for every subscriber:
// each wakes once for them, and the edge encodes them once.
export const audience = (subscribers: ReadonlyArray<Subscriber>, broadcast: Broadcast) => {
  const told = subscribers.filter((s) => s.resultByResult)
  let batch: Array<SenderStatusFetched> = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (batch.length === 0) return
    const chunk = Chunk.unsafeFromArray(batch)
    batch = []
    for (const s of told) s.statuses(chunk)
  }
  return {
    status: (result: SenderStatusFetched) => {
      if (told.length === 0) return
      batch.push(result)
      if (scheduled) return
      scheduled = true
      setImmediate(flush)
    },
    severing: (outcome: Pick<Outcome, "held" | "severed">) => {
      flush()
      for (const s of subscribers) s.severing(broadcast, outcome)
    },
    completed: (outcome: Outcome) => {
      flush()
      for (const s of subscribers) s.completed(broadcast, outcome)
    }
  }
}
export type Audience = ReturnType<typeof audience>

// A round that found nothing to sever, served again to one subscriber: the same events (and so the same
// encoded bytes) its interval's subscribers received.
export const replay = (subscriber: Subscriber, broadcast: Broadcast, outcome: Outcome) => {
  if (subscriber.resultByResult && outcome.statuses.length > 0)
    subscriber.statuses(Chunk.unsafeFromArray(outcome.statuses as Array<SenderStatusFetched>))
  subscriber.completed(broadcast, outcome)
}
