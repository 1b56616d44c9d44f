import { DateTime, Effect } from "effect"
import type { ConnectionUuid } from "../Domain/Connection.js"
import type { ReceiverVerification, SenderStatusFetched } from "../Domain/Events.js"
import { History } from "../History.js"
import * as Repo from "./Repo.js"

const label = (value: string) => value.toUpperCase()

// The latest result of every connection: in memory for the rounds, upserted in the store after every
// check so it survives a restart; a changed outcome appends a history row.
export const make = Effect.gen(function* () {
  const repo = yield* Repo.WatcherRepo
  const history = yield* History
  const statuses = new Map<string, SenderStatusFetched>()
  const verifications = new Map<string, Repo.LastVerification>()
  const newer = (stored: DateTime.Utc, held: DateTime.Utc | undefined) =>
    held === undefined || DateTime.greaterThan(stored, held)

  // with several instances on one store, another may have checked since: its newer results are taken,
  // so freshness (one request per connection per interval) and the history's "from" hold across instances
  const reload = Effect.map(repo.loadAll, (all) => {
    for (const known of all) {
      if ("verification" in known) {
        const uuid = known.verification.connectionUuid
        const held = verifications.get(uuid)?.verification.checkedAt
        if (newer(known.verification.checkedAt, held)) verifications.set(uuid, known)
      } else if (newer(known.checkedAt, statuses.get(known.connectionUuid)?.checkedAt)) {
        statuses.set(known.connectionUuid, known)
      }
    }
  })
  yield* reload

  const recordStatus = (result: SenderStatusFetched) =>
    Effect.gen(function* () {
      const previous = statuses.get(result.connectionUuid)
      statuses.set(result.connectionUuid, result)
      yield* repo.saveStatus(result)
      if (previous?.status !== result.status) {
        yield* history.append(
          result.connectionUuid,
          previous === undefined ? null : label(previous.status),
          label(result.status),
          result.reason
        )
      }
    })

  const recordVerification = (verification: ReceiverVerification) =>
    Effect.gen(function* () {
      const previous = verifications.get(verification.connectionUuid)
      const notFoundCount = verification.outcome === "not_found" ? (previous?.notFoundCount ?? 0) + 1 : 0
      const last = { verification, notFoundCount }
      verifications.set(verification.connectionUuid, last)
      yield* repo.saveVerification(last)
      if (previous?.verification.outcome !== verification.outcome) {
        yield* history.append(
          verification.connectionUuid,
          previous === undefined ? null : label(previous.verification.outcome),
          label(verification.outcome),
          verification.reason
        )
      }
      return last
    })

  const forget = (uuid: ConnectionUuid) =>
    Effect.suspend(() => {
      statuses.delete(uuid)
      verifications.delete(uuid)
      return repo.remove(uuid)
    })

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
    reload,
    status: (uuid: string) => statuses.get(uuid),
    verification: (uuid: string) => verifications.get(uuid),
    freshStatus: freshIn(statuses, (s) => s.checkedAt),
    freshVerification: freshIn(verifications, (v) => v.verification.checkedAt)
  } as const
})
