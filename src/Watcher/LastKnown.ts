import { Config, DateTime, Effect } from "effect"
import type { ConnectionUuid } from "../Domain/Connection.js"
import type { ReceiverVerification, SenderStatusFetched } from "../Domain/Events.js"
import { History } from "../History.js"
import * as WriteBehind from "../WriteBehind.js"
import * as Repo from "./Repo.js"

const label = (value: string) => value.toUpperCase()

type Known = SenderStatusFetched | Repo.LastVerification

// The latest result of every connection, answered from memory. The store is its durable copy, written
// behind in batches (the latest row of each connection, so never more rows than connections): when a round
// ends (`flush`), once 1,000 are pending, and when the server stops; while the store is down they wait and
// are retried (WriteBehind). A changed outcome records a history row.
export const make = Effect.gen(function* () {
  const repo = yield* Repo.WatcherRepo
  const history = yield* History
  const clock = yield* Effect.clock
  const peerTimeoutMs = yield* Config.integer("PEER_TIMEOUT_MS").pipe(Config.withDefault(30_000))
  const statuses = new Map<string, SenderStatusFetched>()
  const verifications = new Map<string, Repo.LastVerification>()
  const newer = (stored: DateTime.Utc, held: DateTime.Utc | undefined) =>
    held === undefined || DateTime.greaterThan(stored, held)

  // Connections deleted lately, with when: a check in flight when its connection was deleted completes after
  // `forget`, and must not bring it back (in memory, in the store, in the history). A check ends within
  // PEER_TIMEOUT_MS of its start, so a uuid is kept twice that long; a Map keeps them oldest first.
  const deleted = new Map<string, number>()
  const keepDeletedMillis = 2 * peerTimeoutMs
  const isDeleted = (uuid: string) => deleted.size > 0 && deleted.has(uuid)

  // with several instances on one store, another may have checked since: its newer results are taken,
  // so freshness (one request per connection per interval) and the history's "from" hold across instances
  const reload = Effect.map(repo.loadAll, (all) => {
    for (const known of all) {
      if ("verification" in known) {
        const uuid = known.verification.connectionUuid
        if (isDeleted(uuid)) continue
        const held = verifications.get(uuid)?.verification.checkedAt
        if (newer(known.verification.checkedAt, held)) verifications.set(uuid, known)
      } else if (
        !isDeleted(known.connectionUuid) &&
        newer(known.checkedAt, statuses.get(known.connectionUuid)?.checkedAt)
      ) {
        statuses.set(known.connectionUuid, known)
      }
    }
  })
  yield* Effect.orDie(reload)

  // each connection's latest result to write (null: its connection was deleted), made a row only when written
  const pending = new Map<ConnectionUuid, Known | null>()
  const toRow = (known: Known | null) =>
    known === null ? null : "verification" in known ? Repo.verificationRow(known) : Repo.statusRow(known)
  const writer = yield* WriteBehind.make({
    name: "LastKnown",
    limit: 1000,
    pending: () => pending.size,
    take: () => {
      if (pending.size === 0) return undefined
      const batch = Array.from(pending)
      pending.clear()
      return batch
    },
    // unless a newer result (or the deletion) of the same connection came since
    putBack: (batch) => {
      for (const [uuid, known] of batch) if (!pending.has(uuid)) pending.set(uuid, known)
    },
    write: (batch) => repo.write(batch.map(([uuid, known]) => [uuid, toRow(known)] as const))
  })
  const save = (uuid: ConnectionUuid, known: Known | null) => {
    pending.set(uuid, known)
    writer.added()
  }

  // synchronous: recorded the moment a check completes, from inside its callback
  const recordStatus = (result: SenderStatusFetched) => {
    if (isDeleted(result.connectionUuid)) return result
    const previous = statuses.get(result.connectionUuid)
    statuses.set(result.connectionUuid, result)
    save(result.connectionUuid, result)
    if (previous?.status !== result.status) {
      history.record(
        result.connectionUuid,
        previous === undefined ? null : label(previous.status),
        label(result.status),
        result.reason
      )
    }
    return result
  }

  const recordVerification = (verification: ReceiverVerification): Repo.LastVerification => {
    const previous = verifications.get(verification.connectionUuid)
    const notFoundCount = verification.outcome === "not_found" ? (previous?.notFoundCount ?? 0) + 1 : 0
    const last = { verification, notFoundCount }
    if (isDeleted(verification.connectionUuid)) return last
    verifications.set(verification.connectionUuid, last)
    save(verification.connectionUuid, last)
    if (previous?.verification.outcome !== verification.outcome) {
      history.record(
        verification.connectionUuid,
        previous === undefined ? null : label(previous.verification.outcome),
        label(verification.outcome),
        verification.reason
      )
    }
    return last
  }

  const forget = (uuid: ConnectionUuid) => {
    const now = clock.unsafeCurrentTimeMillis()
    for (const [old, at] of deleted) {
      if (now - at < keepDeletedMillis) break
      deleted.delete(old)
    }
    deleted.delete(uuid)
    deleted.set(uuid, now)
    statuses.delete(uuid)
    verifications.delete(uuid)
    history.forget(uuid)
    save(uuid, null)
  }

  // a result checked less than maxAgeMillis ago is served as it is, with its own checkedAt (G3)
  const freshIn =
    <A>(map: Map<string, A>, checkedAt: (a: A) => DateTime.Utc) =>
    (uuid: string, maxAgeMillis: number, now: number) => {
      const known = map.get(uuid)
      return known !== undefined && maxAgeMillis > 0 && now - DateTime.toEpochMillis(checkedAt(known)) < maxAgeMillis
        ? known
        : undefined
    }

  return {
    recordStatus,
    recordVerification,
    forget,
    // history first: a check_results row never gets ahead of the change that led to it
    flush: Effect.zipRight(history.flush, writer.flush),
    reload,
    status: (uuid: string) => statuses.get(uuid),
    verification: (uuid: string) => verifications.get(uuid),
    freshStatus: freshIn(statuses, (s) => s.checkedAt),
    freshVerification: freshIn(verifications, (v) => v.verification.checkedAt)
  } as const
})
