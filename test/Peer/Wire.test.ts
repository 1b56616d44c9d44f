import { HttpClientError, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { classify } from "../../src/Peer/Wire.js"

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
