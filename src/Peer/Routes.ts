import { timingSafeEqual } from "node:crypto"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { Connections } from "../Connections.js"
import { isRemoteSettable } from "../Domain/Connection.js"
import type { StoreUnavailable } from "../Domain/Errors.js"
import { formatIsoSeconds, nowSeconds } from "../Domain/Time.js"
import * as Setting from "../Setting.js"
import { SiteConfig } from "../SiteConfig.js"
import * as RateLimit from "./RateLimit.js"
import { failure, json, negotiate, optionalString, params, type Rejected, reject, requireStrings } from "./Request.js"
import { SyncSettings } from "./Settings.js"
import * as Traffic from "./Traffic.js"

const DISABLED = "DB Sync module is disabled"
const NOT_FOUND = "Connection not found"

const samePassword = (stored: Redacted.Redacted<string>, given: string) => {
  const a = Buffer.from(Redacted.value(stored), "utf8")
  const b = Buffer.from(given, "utf8")
  // compare a same-length buffer either way, so the timing does not reveal the length
  return timingSafeEqual(a, a.length === b.length ? b : a) && a.length === b.length
}

// The sync API other sites call (B §3, A6): same status codes and bodies as PhoenixKitSync, checks in its order.
export const make = Effect.gen(function* () {
  const connections = yield* Connections
  const settings = yield* SyncSettings

  const whenEnabled = <R>(
    handler: (
      input: Record<string, unknown>
    ) => Effect.Effect<HttpServerResponse.HttpServerResponse, Rejected | StoreUnavailable, R>,
    disabledMessage = DISABLED
  ) =>
    Effect.gen(function* () {
      if (!settings.enabled) return failure(503, disabledMessage)
      return yield* handler(yield* params)
    })

  const status = Effect.succeed(
    json({
      enabled: settings.enabled,
      incoming_mode: settings.incomingMode,
      password_required: settings.incomingMode === "require_password"
    })
  )

  const verifyConnection = whenEnabled((input) =>
    Effect.gen(function* () {
      const { sender_url, auth_token_hash } = yield* requireStrings(input, ["sender_url", "auth_token_hash"])
      const found = yield* connections.findBySiteAndHash(sender_url, Redacted.make(auth_token_hash))
      return Option.isSome(found) ? json({ success: true, exists: true }) : json({ success: false, exists: false }, 404)
    })
  )

  const updateStatus = whenEnabled((input) =>
    Effect.gen(function* () {
      const fields = yield* requireStrings(input, ["sender_url", "auth_token_hash", "status"])
      const status = fields.status
      if (!isRemoteSettable(status)) return failure(400, "Invalid status value")
      const found = yield* connections.findBySiteAndHash(fields.sender_url, Redacted.make(fields.auth_token_hash))
      if (Option.isNone(found)) return failure(404, NOT_FOUND)
      const updated = yield* connections.setStatusFromRemote(found.value.uuid, status).pipe(Effect.option)
      return Option.isSome(updated)
        ? json({ success: true, message: `Status updated to ${status}` })
        : failure(500, "Failed to update status")
    })
  )

  const deleteConnection = whenEnabled((input) =>
    Effect.gen(function* () {
      const { sender_url, auth_token_hash } = yield* requireStrings(input, ["sender_url", "auth_token_hash"])
      const found = yield* connections.findBySiteAndHash(sender_url, Redacted.make(auth_token_hash))
      if (Option.isNone(found)) return failure(404, NOT_FOUND)
      const deleted = yield* connections.delete(found.value.uuid).pipe(Effect.option)
      return Option.isSome(deleted)
        ? json({ success: true, message: "Connection deleted" })
        : failure(500, "Failed to delete connection")
    })
  )

  const getConnectionStatus = whenEnabled((input) =>
    Effect.gen(function* () {
      const { receiver_url, auth_token_hash } = yield* requireStrings(input, ["receiver_url", "auth_token_hash"])
      yield* Effect.logDebug("Sender status queried").pipe(
        Effect.annotateLogs({ receiverUrl: receiver_url, hasTokenHash: true })
      )
      const found = yield* connections.findSenderByHash(Redacted.make(auth_token_hash))
      if (Option.isNone(found)) return failure(404, NOT_FOUND)
      const sender = found.value
      const status =
        sender.status === "pending"
          ? yield* connections.autoActivate(sender.uuid).pipe(
              Effect.map((activated) => activated.status),
              Effect.tapErrorCause((cause) => Effect.logError("Auto-activation failed", cause)),
              Effect.orElseSucceed(() => sender.status)
            )
          : sender.status
      return json({ success: true, status, name: sender.name })
    })
  )

  const registering = yield* Effect.makeSemaphore(1)
  const maxPending = yield* Setting.integer("MAX_PENDING_REGISTRATIONS", { min: 1, unit: "registrations" }).pipe(
    Config.withDefault(1_000)
  )

  const registerConnection = Effect.gen(function* () {
    const request = yield* HttpServerRequest.HttpServerRequest
    if (!settings.enabled) return failure(503, "Sync module is disabled")
    if (settings.incomingMode === "deny_all") return failure(403, "Incoming connections are not allowed")
    const input = yield* params
    const fields = yield* requireStrings(input, ["sender_url", "connection_name", "auth_token"])
    if (settings.incomingMode === "require_password") {
      // other modes ignore the field, as the reference does
      const password = yield* optionalString(input, "password")
      const stored = Option.filter(settings.incomingPassword, (p) => Redacted.value(p) !== "")
      if (Option.isNone(stored) || Option.isNone(password)) return failure(401, "Password required")
      if (!samePassword(stored.value, password.value)) return failure(401, "Invalid password")
    }
    if (Option.isSome(yield* connections.findReceiverBySite(fields.sender_url))) {
      return failure(409, "A connection already exists")
    }
    const pending = settings.incomingMode === "require_approval"
    // the count and the insert under one permit (and nothing slower: the body is already read), so
    // concurrent registrations cannot overshoot the cap
    const created = yield* Effect.gen(function* () {
      if (pending && (yield* connections.countPendingReceivers) >= maxPending) {
        yield* Effect.logDebug("Registration refused: too many pending registrations").pipe(
          Effect.annotateLogs("maxPending", maxPending)
        )
        return yield* reject(503, "Too many pending registrations; try again later")
      }
      return yield* connections
        .create({
          name: `From: ${fields.connection_name}`,
          direction: "receiver",
          siteUrl: fields.sender_url,
          authToken: Redacted.make(fields.auth_token),
          status: pending ? "pending" : "active",
          metadata: {
            registered_via: "api",
            registered_at: formatIsoSeconds(yield* nowSeconds),
            remote_ip: RateLimit.clientAddress(request, settings.trustProxy),
            user_agent: request.headers["user-agent"] ?? "unknown"
          }
        })
        .pipe(
          // one handler for the whole union: chained catches would catch the Rejected an earlier one raised
          Effect.catchAll((error) => {
            switch (error._tag) {
              case "DuplicateConnection":
              case "DuplicateToken":
                return reject(409, "A connection already exists")
              case "StoreUnavailable":
                return Effect.zipRight(
                  Effect.logError("Registration refused: the database is unavailable", error),
                  reject(503, "Service temporarily unavailable")
                )
              default:
                return Effect.zipRight(
                  Effect.logDebug("Registration refused").pipe(Effect.annotateLogs("error", error.message)),
                  reject(500, "Fetch failed")
                )
            }
          })
        )
    }).pipe(registering.withPermits(1))
    return json({
      success: true,
      message: pending ? "Connection registered, pending approval" : "Connection registered and activated",
      connection_status: created.connection.status,
      connection_uuid: created.connection.uuid
    })
  })

  return { status, verifyConnection, updateStatus, deleteConnection, getConnectionStatus, registerConnection } as const
})

const respond = <R, R2>(
  record: (status: number) => Effect.Effect<void>,
  limit: Effect.Effect<void, Rejected, R2>,
  handler: Effect.Effect<HttpServerResponse.HttpServerResponse, Rejected | StoreUnavailable, R>
) =>
  Effect.zipRight(Effect.zipRight(limit, negotiate), handler).pipe(
    Effect.catchTag("Rejected", (rejected) => Effect.succeed(rejected.response)),
    Effect.catchTag("StoreUnavailable", (error) =>
      Effect.as(
        Effect.logError("Sync API request refused: the database is unavailable", error),
        failure(503, "Service temporarily unavailable")
      )
    ),
    Effect.catchAllCause((cause) =>
      Effect.as(Effect.logError("Sync API handler failed", cause), failure(500, "Internal server error"))
    ),
    Effect.tap((response) => record(response.status))
  )

export const RouteLive = Layer.unwrapScoped(
  Effect.gen(function* () {
    const api = yield* make
    const limit = yield* RateLimit.make
    const traffic = yield* Traffic.make
    const { urlPrefix } = yield* SiteConfig
    const base = `${urlPrefix}/sync/api` as `/${string}`
    const route = <R>(
      method: "GET" | "POST",
      endpoint: string,
      handler: Effect.Effect<HttpServerResponse.HttpServerResponse, Rejected | StoreUnavailable, R>
    ) =>
      HttpLayerRouter.route(
        method,
        `${base}/${endpoint}`,
        respond(
          (status) => traffic.record(endpoint, status),
          endpoint === "register-connection" ? Effect.zipRight(limit("api"), limit("register")) : limit("api"),
          handler
        )
      )
    return HttpLayerRouter.addAll([
      route("GET", "status", api.status),
      route("POST", "verify-connection", api.verifyConnection),
      route("POST", "update-status", api.updateStatus),
      route("POST", "delete-connection", api.deleteConnection),
      route("POST", "get-connection-status", api.getConnectionStatus),
      route("POST", "register-connection", api.registerConnection)
    ])
  })
).pipe(Layer.provide(RateLimit.layer))
