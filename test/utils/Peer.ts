import { Effect } from "effect"
import type { Connection } from "../../src/Domain/Connection.js"
import type { PeerClient } from "../../src/Peer/Client.js"
import type * as SingleFlight from "../../src/SingleFlight.js"

// PeerClient's checks are callback tasks (what StatusChecks runs); here each is one Effect, interrupted with its caller
const run = <A, E>(task: SingleFlight.Task<A, E>): Effect.Effect<A, E> =>
  Effect.async<A, E>((resume) => Effect.sync(task(resume)))

export const statusOf = (peer: PeerClient, connection: Connection) => run(peer.statusCall(connection))
export const verificationOf = (peer: PeerClient, connection: Connection) => run(peer.verifyCall(connection))
