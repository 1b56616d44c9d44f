import { DateTime } from "effect"
import type { Connection } from "../Domain/Connection.js"
import { ConnectionChange } from "../Domain/Events.js"

// What this process's subscribers were last told of each row, so that a re-read of the store can tell what
// they missed (another instance's writes while this one was not listening: Cluster/Relay.ts). An entry holds
// the row as published (the same object the watcher's registry holds: a map entry's worth of memory) and the
// number of the publish that set it. A read of the store is compared only with entries set before it began:
// a change published since is newer than, or as new as, what the read saw, and must not be undone by it.
interface Entry {
  // null: deleted while a read was in flight (without it the read's older copy would bring the row back)
  readonly connection: Connection | null
  readonly seq: number
}

export interface View {
  // every change published to this process's subscribers, as it is published
  readonly record: (change: ConnectionChange) => void
  // before reading the store: the mark its rows are compared against
  readonly begin: () => number
  // one row of that read: the change to publish, or undefined when the subscribers already know it
  readonly compare: (mark: number, row: Connection) => ConnectionChange | undefined
  // after the read's rows: the rows the subscribers know and the read no longer holds
  readonly gone: (mark: number, read: ReadonlySet<string>) => Array<ConnectionChange>
  // the read is over (done or failed); markers of rows deleted meanwhile go once no read is in flight
  readonly end: () => void
}

// Rows carry whole seconds (updated_at): two writes in one second leave it as it was, so an equal time is
// checked against the whole row. JSON holds every field (DateTimes as ISO, the token hash as "<redacted>")
// in the constructor's order, the same for every read.
export const sameVersion = (known: Connection, row: Connection): boolean =>
  DateTime.Equivalence(known.updatedAt, row.updatedAt) && JSON.stringify(known) === JSON.stringify(row)

export const make = (): View => {
  const rows = new Map<string, Entry>()
  let seq = 0
  // reads in flight (a catch-up and a heard change's read may overlap)
  let reading = 0

  const record = (change: ConnectionChange) => {
    seq += 1
    if (change.connection === null && reading === 0) rows.delete(change.connectionUuid)
    else rows.set(change.connectionUuid, { connection: change.connection, seq })
  }

  const begin = () => {
    reading += 1
    return seq
  }

  const compare = (mark: number, row: Connection) => {
    const known = rows.get(row.uuid)
    if (known !== undefined && (known.seq > mark || known.connection === null || sameVersion(known.connection, row))) {
      return undefined
    }
    // the row was decoded by its read: no second validation (10,000 of them at start)
    return new ConnectionChange(
      { kind: known === undefined ? "created" : "updated", connectionUuid: row.uuid, connection: row },
      { disableValidation: true }
    )
  }

  const gone = (mark: number, read: ReadonlySet<string>) => {
    const changes: Array<ConnectionChange> = []
    for (const known of rows.values()) {
      if (known.connection !== null && known.seq <= mark && !read.has(known.connection.uuid)) {
        changes.push(
          new ConnectionChange(
            { kind: "deleted", connectionUuid: known.connection.uuid, connection: null },
            { disableValidation: true }
          )
        )
      }
    }
    return changes
  }

  const end = () => {
    reading -= 1
    if (reading > 0) return
    for (const [uuid, known] of rows) if (known.connection === null) rows.delete(uuid)
  }

  return { record, begin, compare, gone, end }
}
