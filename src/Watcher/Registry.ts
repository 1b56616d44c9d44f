import { Effect, Queue } from "effect"
import { Connections } from "../Connections.js"
import type { Connection, Direction } from "../Domain/Connection.js"
import type { ConnectionChange } from "../Domain/Events.js"

// The registry in memory (G5): read once, then kept current from the change feed. Every read first
// applies the changes published so far, so a round sees each write that committed before it started.
export const make = Effect.gen(function* () {
  const connections = yield* Connections
  const changes = yield* connections.subscribe
  const byUuid = new Map<string, Connection>()
  // changes applied so far: two reads at the same version saw the same registry
  let version = 0
  for (const connection of yield* connections.list()) byUuid.set(connection.uuid, connection)

  const apply = (change: ConnectionChange) => {
    version++
    if (change.connection === null) byUuid.delete(change.connectionUuid)
    else byUuid.set(change.connectionUuid, change.connection)
  }

  // the changes applied now, handed to the caller (the watcher forgets what it knew of deleted rows)
  const sync = Effect.map(Queue.takeAll(changes), (pending) => {
    for (const change of pending) apply(change)
    return pending
  })

  const ofDirection = (direction: Direction): ReadonlyArray<Connection> => {
    const found: Array<Connection> = []
    for (const connection of byUuid.values()) if (connection.direction === direction) found.push(connection)
    return found
  }

  return { sync, ofDirection, get: (uuid: string) => byUuid.get(uuid), version: () => version } as const
})
