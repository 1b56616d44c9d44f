import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Effect, Option } from "effect"
import { Offline, RemoteError } from "../Domain/Errors.js"

export const MAX_BODY_BYTES = 1024 * 1024

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
