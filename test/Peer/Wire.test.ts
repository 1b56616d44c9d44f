import { HttpClientError, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Exit, Option } from "effect"
import type { RemoteError } from "../../src/Domain/Errors.js"
import { classify, MAX_STATUS_CHARS, MAX_TEXT_CHARS, statusAnswer } from "../../src/Peer/Wire.js"

const request = HttpClientRequest.post("http://peer.example.com/phoenix_kit/sync/api/verify-connection")
const transport = (cause: unknown) => new HttpClientError.RequestError({ request, reason: "Transport", cause })
const errno = (code: string, message = `connect ${code}`) => Object.assign(new Error(message), { code })
// undici and fetch wrap the errno: TypeError("fetch failed") → cause → cause …
const wrapped = (inner: unknown) => new TypeError("fetch failed", { cause: new Error("connect", { cause: inner }) })

describe("transport error classification (B §4.5 port note, A5)", () => {
  it.each([
    ["ECONNREFUSED", "Offline", "refused"],
    ["ENOTFOUND", "Offline", "dns"],
    ["EAI_AGAIN", "Offline", "dns"],
    ["EHOSTUNREACH", "Offline", "unreachable"],
    ["ENETUNREACH", "Offline", "unreachable"],
    ["ETIMEDOUT", "Offline", "connect_timeout"],
    ["UND_ERR_CONNECT_TIMEOUT", "Offline", "connect_timeout"],
    ["UND_ERR_HEADERS_TIMEOUT", "Offline", "timeout"],
    ["UND_ERR_BODY_TIMEOUT", "Offline", "timeout"],
    ["ECONNRESET", "RemoteError", "reset"],
    ["EPIPE", "RemoteError", "reset"],
    ["UND_ERR_SOCKET", "RemoteError", "reset"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "RemoteError", "tls"],
    ["CERT_HAS_EXPIRED", "RemoteError", "tls"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "RemoteError", "tls"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "RemoteError", "tls"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "RemoteError", "tls"],
    ["EADDRNOTAVAIL", "RemoteError", "transport"]
  ] as const)("%s → %s %s, however deep", (code, _tag, reason) => {
    expect(classify(transport(errno(code)))).toMatchObject({ _tag, reason })
    expect(classify(transport(wrapped(errno(code))))).toMatchObject({ _tag, reason })
  })

  it("an AggregateError of connect attempts (IPv6 then IPv4) is read", () => {
    const attempts = new AggregateError([errno("ECONNREFUSED"), errno("ECONNREFUSED")], "connect failed")
    expect(classify(transport(Object.assign(attempts, { code: "ECONNREFUSED" })))).toMatchObject({
      _tag: "Offline",
      reason: "refused"
    })
    expect(classify(transport(new AggregateError([errno("EHOSTUNREACH")])))).toMatchObject({ reason: "unreachable" })
  })

  it("falls back on the message, then on transport", () => {
    expect(classify(transport(new Error("other side closed")))).toMatchObject({ reason: "reset" })
    expect(classify(transport(new Error("unable to verify the first certificate")))).toMatchObject({ reason: "tls" })
    expect(classify(transport(new Error("Response does not match the HTTP/1.1 protocol")))).toMatchObject({
      _tag: "RemoteError",
      reason: "transport",
      detail: "Response does not match the HTTP/1.1 protocol"
    })
    expect(classify(transport("not even an error"))).toMatchObject({ reason: "transport" })
  })

  it("a request the client cannot build is invalid_url", () => {
    const error = new HttpClientError.RequestError({ request, reason: "InvalidUrl", cause: new TypeError("bad") })
    expect(classify(error)).toMatchObject({ _tag: "RemoteError", reason: "invalid_url" })
  })
})

// get-connection-status's answer, as a 200 with this JSON body
const answered = (body: Record<string, unknown>) =>
  statusAnswer({ status: 200, body: Option.some(JSON.stringify({ success: true, ...body })) })
const failure = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

describe("what a remote may make us keep (issue 18): a status up to 32 characters, a name up to 1,000", () => {
  it.each([
    ["a known status", { status: "active", name: "Shop" }, { status: "active", name: "Shop" }],
    [
      "a name of 1,000 characters",
      { status: "active", name: "n".repeat(MAX_TEXT_CHARS) },
      { status: "active", name: "n".repeat(1000) }
    ],
    ["no name", { status: "revoked" }, { status: "revoked", name: null }]
  ] as const)("%s is read", (_, body, expected) => {
    expect(answered(body)).toEqual(Exit.succeed(expected))
  })

  it.each([
    [
      "an unknown status of 32 characters",
      { status: "s".repeat(MAX_STATUS_CHARS) },
      { reason: "unknown_status", remoteStatus: "s".repeat(32) }
    ],
    ["a status of 33 characters", { status: "s".repeat(33) }, { reason: "malformed", remoteStatus: undefined }],
    ["a status of 1 MB", { status: "s".repeat(1_000_000) }, { reason: "malformed", remoteStatus: undefined }],
    [
      "a known status with a name of 1,001 characters",
      { status: "active", name: "n".repeat(1001) },
      { reason: "malformed", remoteStatus: undefined }
    ]
  ] as const)("%s is an error", (_, body, expected) => {
    const error = failure(answered(body)) as RemoteError
    const { remoteStatus, ...rest } = expected
    expect(error).toMatchObject({ _tag: "RemoteError", ...rest })
    expect(error.remoteStatus).toBe(remoteStatus)
    // nothing of the remote's string is kept, in the error or its message
    expect(JSON.stringify(error).length + String((error as Error).message).length).toBeLessThan(300)
  })
})
