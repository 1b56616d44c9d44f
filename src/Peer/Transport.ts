import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import Undici from "@effect/platform-node/Undici"
import { Effect, Exit, Layer, Option } from "effect"
import { Offline, type RemoteError } from "../Domain/Errors.js"
import * as AddressGuard from "./AddressGuard.js"
import type { Deadlines } from "./Deadlines.js"
import { classifyCause, MAX_BODY_BYTES, type Reply } from "./Wire.js"

// undici gives up connecting after 10 s by default; the reference (Mint) waits 30 s, and our own
// PEER_TIMEOUT_MS deadline is the real bound, so the socket timeouts only sit above it as a backstop (A5).
// maxResponseSize stops a body over the cap while it streams in, without buffering it.
// The connector dials only addresses the AddressGuard allows (SSRF: resolve, then pin).
const DispatcherLive = Layer.scoped(
  NodeHttpClient.Dispatcher,
  Effect.acquireRelease(
    Effect.map(
      AddressGuard.policy,
      (policy) =>
        new Undici.Agent({
          connect: AddressGuard.connector(policy, { timeout: 30_000 }),
          maxResponseSize: MAX_BODY_BYTES
        })
    ),
    (agent) => Effect.promise(() => agent.destroy())
  )
)

// The peer transport: one undici dispatcher, seen by the rare calls as the platform's HttpClient (HttpClient.make
// over undici's request) and by the two checks run by the thousand as `exchange` below.
export const PeerHttpClientLive = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(NodeHttpClient.Dispatcher, NodeHttpClient.makeUndici)
).pipe(Layer.provideMerge(DispatcherLive))

// a POST built once per connection: origin, path and JSON body as they go on the wire
export interface Call {
  readonly origin: string
  readonly path: string
  readonly body: string
}

export type Outcome = Exit.Exit<Reply, Offline | RemoteError>

// One POST on the wire, without a promise, an AbortSignal or a fiber: undici's dispatch handler collects the
// body (up to MAX_BODY_BYTES), the deadline scheduler fails it with Offline timeout, and the returned
// function cancels it. Cancelling or expiring aborts the request, so the remote sees its socket close.
export const exchange =
  (dispatcher: Undici.Dispatcher, deadlines: Deadlines, headers: Record<string, string>, timeoutMs: number) =>
  (call: Call, done: (outcome: Outcome) => void): (() => void) => {
    let controller: Undici.Dispatcher.DispatchController | null = null
    let settled = false
    let status = 0
    let size = 0
    // the body's first chunk, and the array only when a second one comes: most answers arrive in one
    let first: Buffer | undefined
    let chunks: Array<Buffer> | undefined
    const abort = () => controller?.abort(new Error("peer call abandoned"))
    const finish = (outcome: Outcome) => {
      if (settled) return
      settled = true
      deadlines.settle(deadline)
      done(outcome)
    }
    const overCap = () => {
      finish(Exit.succeed({ status, body: Option.none() }))
      abort()
    }
    const deadline = deadlines.start(() => {
      finish(Exit.fail(new Offline({ reason: "timeout", detail: `no answer within ${timeoutMs} ms` })))
      abort()
    })
    try {
      dispatcher.dispatch(
        { origin: call.origin, path: call.path, method: "POST", headers, body: call.body },
        {
          onRequestStart: (started) => {
            controller = started
            if (settled) abort()
          },
          onResponseStart: (_, statusCode, responseHeaders) => {
            status = statusCode
            if (Number(responseHeaders["content-length"]) > MAX_BODY_BYTES) overCap()
          },
          onResponseData: (_, chunk) => {
            if (settled) return
            size += chunk.length
            if (size > MAX_BODY_BYTES) return overCap()
            if (first === undefined) first = chunk
            else if (chunks === undefined) chunks = [first, chunk]
            else chunks.push(chunk)
          },
          onResponseEnd: () => {
            const body = chunks !== undefined ? Buffer.concat(chunks).toString("utf8") : (first?.toString("utf8") ?? "")
            finish(Exit.succeed({ status, body: Option.some(body) }))
          },
          onResponseError: (_, error) => {
            if ((error as { code?: string }).code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") return overCap()
            finish(Exit.fail(classifyCause(error)))
          }
        }
      )
    } catch (error) {
      finish(Exit.fail(classifyCause(error)))
    }
    return () => {
      if (settled) return
      settled = true
      deadlines.settle(deadline)
      abort()
    }
  }
