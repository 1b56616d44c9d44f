import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Effect, Exit, Option } from "effect"
import { ConnectionStatus } from "../Domain/Connection.js"
import { NotFound, Offline, type PeerFailure, RemoteError } from "../Domain/Errors.js"

export const MAX_BODY_BYTES = 1024 * 1024
// What a remote may make us keep of one string (in memory, in the store, in a log line): a status is a word,
// a name, reason or message a sentence. A longer one is `malformed`, and nothing of it is kept.
export const MAX_STATUS_CHARS = 32
export const MAX_TEXT_CHARS = 1000

// body is None when it went over the cap: we stopped reading, the rest stays on the wire
export interface Reply {
  readonly status: number
  readonly body: Option.Option<string>
}

// the dispatcher refuses bodies over MAX_BODY_BYTES as they stream in (maxResponseSize, Transport.ts)
const overCap = (error: HttpClientError.ResponseError) =>
  unwrap(error.cause).some(({ code }) => code === "UND_ERR_RES_EXCEEDED_MAX_SIZE")

export const readBody = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Option.Option<string>, HttpClientError.ResponseError> =>
  Number(response.headers["content-length"]) > MAX_BODY_BYTES
    ? Effect.succeedNone
    : response.text.pipe(
        Effect.map(Option.some),
        Effect.catchIf(overCap, () => Effect.succeedNone)
      )

export const tooLarge = () => new RemoteError({ reason: "too_large", detail: `body over ${MAX_BODY_BYTES} bytes` })
export const badBody = () => new RemoteError({ reason: "bad_body", detail: "the answer is not the protocol's JSON" })
export const httpError = (reply: Reply) => new RemoteError({ reason: `http_${reply.status}` })
export const malformed = (field: string, max: number) =>
  new RemoteError({ reason: "malformed", detail: `the answer's ${field} is over ${max} characters` })

// a remote's string over its cap, as the error it is; undefined within the cap (or for anything but a string)
export const tooLong = (value: unknown, field: string, max: number): RemoteError | undefined =>
  typeof value === "string" && value.length > max ? malformed(field, max) : undefined

export const parsed = (body: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

// A2/A3: only the protocol's own JSON 404 means "no such connection"; an HTML 404 is a wrong URL or prefix
const notFound = (body: string): NotFound | RemoteError =>
  parsed(body)?.["success"] === false
    ? new NotFound({ reason: "not_found" })
    : new RemoteError({
        reason: "no_route",
        detail: "sync endpoint not found (HTTP 404): check the site URL and the sync URL prefix"
      })

// what a sender answers to get-connection-status
export interface StatusAnswer {
  readonly status: ConnectionStatus
  readonly name: string | null
}
const knownStatus = new Set<string>(ConnectionStatus.literals)

// get-connection-status's answer, classified: a structural check, not a Schema union (it runs once per check)
export const statusAnswer = (reply: Reply): Exit.Exit<StatusAnswer, PeerFailure> => {
  if (Option.isNone(reply.body)) return Exit.fail(tooLarge())
  const body = reply.body.value
  if (reply.status === 404) return Exit.fail(notFound(body))
  if (reply.status !== 200) return Exit.fail(httpError(reply))
  const answer = parsed(body)
  if (answer?.["success"] === false) return Exit.fail(new NotFound({ reason: "not_found" }))
  const status = answer?.["status"]
  if (answer?.["success"] !== true || typeof status !== "string") return Exit.fail(badBody())
  const name = answer["name"]
  const over = tooLong(status, "status", MAX_STATUS_CHARS) ?? tooLong(name, "name", MAX_TEXT_CHARS)
  if (over !== undefined) return Exit.fail(over)
  if (!knownStatus.has(status)) {
    return Exit.fail(
      new RemoteError({
        reason: "unknown_status",
        detail: `remote reports unknown status ${JSON.stringify(status)}`,
        remoteStatus: status
      })
    )
  }
  return Exit.succeed({ status: status as ConnectionStatus, name: typeof name === "string" ? name : null })
}

// verify-connection's answer: only the status (and a 404's body) counts
export const verifyAnswer = (reply: Reply): Exit.Exit<void, PeerFailure> => {
  if (Option.isNone(reply.body)) return Exit.fail(tooLarge())
  if (reply.status === 404) return Exit.fail(notFound(reply.body.value))
  if (reply.status !== 200) return Exit.fail(httpError(reply))
  return Exit.void
}

// B §4.5 port note, with A5's classes: undici nests the errno several `cause`s deep, or in an AggregateError
const offlineCodes: Record<string, Offline["reason"]> = {
  ECONNREFUSED: "refused",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  ETIMEDOUT: "connect_timeout",
  UND_ERR_CONNECT_TIMEOUT: "connect_timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout"
}
// refused by the AddressGuard before any byte went out
const guardCodes: Record<string, RemoteError["reason"]> = {
  ERR_SYNCWATCH_INTERNAL_ADDRESS: "internal_address",
  ERR_SYNCWATCH_SELF_ADDRESS: "self_address"
}
const resetCodes = new Set(["ECONNRESET", "EPIPE", "UND_ERR_SOCKET"])
const tlsCode = /CERT|SSL|TLS|CRL|EPROTO|UNABLE_TO_VERIFY|INVALID_CA|INVALID_PURPOSE|HOSTNAME_MISMATCH/

export const classify = (error: HttpClientError.HttpClientError): Offline | RemoteError =>
  error._tag === "RequestError" && error.reason === "InvalidUrl"
    ? new RemoteError({ reason: "invalid_url", detail: "the site URL does not make a valid request URL" })
    : classifyCause(error.cause, error.message)

// the same classes for an error straight from undici (the hot path, Transport.ts)
export const classifyCause = (cause: unknown, fallback = "transport error"): Offline | RemoteError => {
  const causes = unwrap(cause)
  for (const { code, message } of causes) {
    if (code === undefined) continue
    const offline = offlineCodes[code]
    if (offline !== undefined) return new Offline({ reason: offline, detail: message })
    const guarded = guardCodes[code]
    if (guarded !== undefined) return new RemoteError({ reason: guarded, detail: message })
    if (resetCodes.has(code)) return new RemoteError({ reason: "reset", detail: message })
    if (tlsCode.test(code)) return new RemoteError({ reason: "tls", detail: message })
  }
  const messages = causes.map((cause) => cause.message)
  const detail = messages.find((message) => message !== "") ?? fallback
  if (messages.some((message) => /other side closed|socket hang up/i.test(message))) {
    return new RemoteError({ reason: "reset", detail })
  }
  if (messages.some((message) => /certificate|\bSSL\b|\bTLS\b/i.test(message))) {
    return new RemoteError({ reason: "tls", detail })
  }
  return new RemoteError({ reason: "transport", detail })
}

interface Cause {
  readonly code: string | undefined
  readonly message: string
}

const unwrap = (root: unknown): ReadonlyArray<Cause> => {
  const found: Array<Cause> = []
  const queue: Array<unknown> = [root]
  while (queue.length > 0 && found.length < 16) {
    const error = queue.shift()
    if (typeof error !== "object" || error === null) continue
    const { code, message, cause, errors } = error as Record<string, unknown>
    found.push({
      code: typeof code === "string" ? code : undefined,
      message: typeof message === "string" ? message : ""
    })
    queue.push(cause)
    if (Array.isArray(errors)) queue.push(...errors)
  }
  return found
}
