import { Clock, Effect, Either, Option, Schema } from "effect"
import { RemoteNotification } from "../Domain/Connection.js"
import type { Offline, RemoteError } from "../Domain/Errors.js"
import { MAX_STATUS_CHARS, MAX_TEXT_CHARS, type Reply, tooLong } from "./Wire.js"

type Fields = Option.Option<{ readonly [key: string]: unknown }>

const JsonObject = Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Unknown }))

const defaultErrors: Record<number, string> = {
  401: "Password required or invalid",
  403: "Incoming connections denied",
  409: "Connection already exists",
  503: "DB Sync module disabled on remote site"
}

const text = (fields: Fields, key: string): Option.Option<string> =>
  Option.flatMap(fields, (object) => {
    const value = object[key]
    return typeof value === "string" ? Option.some(value) : Option.none()
  })

// older sites answer a numeric connection_id
const id = (fields: Fields, key: string): Option.Option<string> =>
  Option.flatMap(fields, (object) => {
    const value = object[key]
    return typeof value === "number" && Number.isFinite(value) ? Option.some(String(value)) : text(fields, key)
  })

const TEXTS = ["error", "message", "connection_uuid", "connection_id"] as const
// a field longer than a remote may make us keep (Wire): the answer is not the protocol's
const overLong = (fields: Fields) =>
  Option.exists(
    fields,
    (object) =>
      tooLong(object["connection_status"], "connection_status", MAX_STATUS_CHARS) !== undefined ||
      TEXTS.some((key) => tooLong(object[key], key, MAX_TEXT_CHARS) !== undefined)
  )

// B §3.6, the client table: what the sender row keeps as metadata.remote_notification
export const interpret = (outcome: Either.Either<Reply, Offline | RemoteError>): Effect.Effect<RemoteNotification> =>
  Effect.map(Clock.currentTimeMillis, (now) => {
    const notified_at = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z")
    const failed = (http_status: number | null, message: string) =>
      new RemoteNotification({
        notified_at,
        notification_success: false,
        notification_status: "failed",
        notification_message: message,
        remote_connection_uuid: null,
        http_status
      })
    if (Either.isLeft(outcome)) return failed(null, "Failed to contact remote site")
    const { status, body } = outcome.right
    const fields: Fields = Option.flatMap(body, Schema.decodeUnknownOption(JsonObject))
    if (overLong(fields)) return failed(status, "Invalid response from remote site")
    const error = text(fields, "error")
    if (status !== 200) {
      return failed(
        status,
        Option.getOrElse(error, () => defaultErrors[status] ?? `HTTP error ${status}`)
      )
    }
    const success = Option.map(fields, (object) => object["success"])
    if (Option.contains(success, false)) {
      return failed(
        200,
        Option.getOrElse(error, () => "Remote site rejected connection")
      )
    }
    if (!Option.contains(success, true)) return failed(200, "Invalid response from remote site")
    return new RemoteNotification({
      notified_at,
      notification_success: true,
      notification_status: Option.contains(text(fields, "connection_status"), "pending") ? "pending" : "registered",
      notification_message: Option.getOrElse(text(fields, "message"), () => "Connection registered"),
      remote_connection_uuid: Option.getOrNull(
        Option.orElse(id(fields, "connection_uuid"), () => id(fields, "connection_id"))
      ),
      http_status: 200
    })
  })
