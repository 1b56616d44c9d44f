import { Effect, type Redacted } from "effect"
import * as Connections from "./Connections.js"
import {
  type Connection,
  type ConnectionStatus,
  isRemoteSettable,
  type Metadata,
  nameProblem,
  RemoteNotification
} from "./Domain/Connection.js"
import { failureOutcome, InvalidInput, type PeerFailure } from "./Domain/Errors.js"
import type { RemoteNotice } from "./Domain/RemoteNotice.js"
import * as SiteUrl from "./Domain/SiteUrl.js"
import { formatIsoSeconds, nowSeconds } from "./Domain/Time.js"
import { PeerClient } from "./Peer/Client.js"
import { SiteConfig } from "./SiteConfig.js"

export type { RemoteNotice } from "./Domain/RemoteNotice.js"

export interface CreateInput extends Omit<Connections.CreateInput, "metadata"> {
  readonly remoteNotified?: boolean | undefined
  readonly notifyRemote?: boolean | undefined
  readonly password?: Redacted.Redacted<string> | undefined
}

// The admin's side of the pair: local registry changes, each followed (or preceded) by telling the remote.
export class Pairing extends Effect.Service<Pairing>()("syncwatch/Pairing", {
  effect: Effect.gen(function* () {
    const connections = yield* Connections.Connections
    const peer = yield* PeerClient
    const site = yield* SiteConfig

    // tell the remote; whatever it answers, or not, becomes the notice and is never an error
    const tell = (
      connection: Connection,
      endpoint: RemoteNotice["endpoint"],
      call: Effect.Effect<RemoteNotice["outcome"], PeerFailure>
    ) =>
      call.pipe(
        Effect.map((outcome): RemoteNotice => ({ connectionUuid: connection.uuid, endpoint, outcome, reason: null })),
        Effect.catchAll((error) =>
          Effect.as(
            Effect.logWarning("Remote site was not told").pipe(
              Effect.annotateLogs({ connectionUuid: connection.uuid, endpoint, reason: error.reason })
            ),
            { connectionUuid: connection.uuid, endpoint, outcome: failureOutcome(error), reason: error.reason }
          )
        )
      )

    const manualNotification = Effect.map(
      nowSeconds,
      (now) =>
        new RemoteNotification({
          notified_at: formatIsoSeconds(now),
          notification_success: true,
          notification_status: "registered",
          notification_message: "Marked as registered by an admin",
          remote_connection_uuid: null,
          http_status: null
        })
    )

    const create = Effect.fn("Pairing.create")(function* (input: CreateInput) {
      const problem = nameProblem(input.name)
      if (problem !== undefined) return yield* new InvalidInput({ field: "name", message: problem })
      const metadata: Metadata =
        input.remoteNotified === true && input.notifyRemote !== true
          ? { remote_notification: yield* manualNotification }
          : {}
      const created = yield* connections.create({
        name: input.name,
        direction: input.direction,
        siteUrl: input.siteUrl,
        authToken: input.authToken,
        status: input.status,
        metadata
      })
      if (input.notifyRemote !== true || created.connection.direction !== "sender") {
        return { ...created, remoteNotification: null }
      }
      const notification = yield* peer.register(created.connection, created.authToken, input.password)
      if (notification === null) return { ...created, remoteNotification: null }
      const connection = yield* connections
        .recordRemoteNotification(created.connection.uuid, notification)
        .pipe(Effect.orDie)
      return { connection, authToken: created.authToken, remoteNotification: notification }
    })

    const updateStatus = Effect.fn("Pairing.updateStatus")(function* (
      uuid: string,
      status: ConnectionStatus,
      reason?: string
    ) {
      const connection = yield* connections.updateStatus(uuid, status, reason)
      if (!isRemoteSettable(status)) {
        const notice: RemoteNotice = {
          connectionUuid: connection.uuid,
          endpoint: "update-status",
          outcome: "skipped",
          reason: `${status} is not sent to remotes`
        }
        return { connection, notice }
      }
      const notice = yield* tell(connection, "update-status", peer.notifyStatusChange(connection, status))
      return { connection, notice }
    })

    const remove = Effect.fn("Pairing.delete")(function* (uuid: string) {
      const connection = yield* connections.get(uuid)
      const notice = yield* tell(connection, "delete-connection", peer.notifyDelete(connection))
      const deleted = yield* connections.delete(uuid)
      return { connection: deleted, notice }
    })

    // the site-URL guard first: this must not become a way to probe internal addresses
    const inspectRemote = Effect.fn("Pairing.inspectRemote")(function* (siteUrl: string) {
      yield* SiteUrl.validate(siteUrl, { allowInternal: site.allowInternalUrls })
      const status = yield* peer.checkRemoteStatus(siteUrl)
      return {
        siteUrl,
        enabled: status.enabled,
        incomingMode: status.incoming_mode,
        passwordRequired: status.password_required
      }
    })

    return { create, updateStatus, delete: remove, inspectRemote } as const
  })
}) {}
