import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import Undici from "@effect/platform-node/Undici"
import { Effect, Exit, Layer, Option } from "effect"
import { Offline, type RemoteError } from "../Domain/Errors.js"
import * as Metrics from "../Metrics.js"
import * as AddressGuard from "./AddressGuard.js"
import type { Deadline, Deadlines } from "./Deadlines.js"
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

// where a connection's POST goes, worked out once per connection: origin and path as they go on the wire
export interface Target {
  readonly origin: string
  readonly path: string
}

export type Outcome = Exit.Exit<Reply, Offline | RemoteError>

// One POST on the wire, without a promise, an AbortSignal or a fiber: undici's dispatch handler collects the
// body (up to MAX_BODY_BYTES), the deadline scheduler fails it with Offline timeout, and the returned
// function cancels it. Cancelling or expiring aborts the request, so the remote sees its socket close.
export const exchange =
  (dispatcher: Undici.Dispatcher, deadlines: Deadlines, headers: Record<string, string>, timeoutMs: number) =>
  (target: Target, body: string, done: (outcome: Outcome) => void): (() => void) => {
    const handler = new Handler(deadlines, timeoutMs, done)
    try {
      dispatcher.dispatch({ origin: target.origin, path: target.path, method: "POST", headers, body }, handler)
    } catch (error) {
      handler.finish(Exit.fail(classifyCause(error)))
    }
    return () => handler.cancel()
  }

// One call's state, with undici's callbacks as its methods: one object a call rather than a closure each.
class Handler implements Undici.Dispatcher.DispatchHandler {
  private controller: Undici.Dispatcher.DispatchController | null = null
  private settled = false
  private status = 0
  private size = 0
  // the body's first chunk, and the array only when a second one comes: most answers arrive in one
  private first: Buffer | undefined = undefined
  private chunks: Array<Buffer> | undefined = undefined
  private readonly deadline: Deadline

  constructor(
    private readonly deadlines: Deadlines,
    timeoutMs: number,
    private readonly done: (outcome: Outcome) => void
  ) {
    Metrics.peerCallStarted()
    this.deadline = deadlines.start(() => {
      this.finish(Exit.fail(new Offline({ reason: "timeout", detail: `no answer within ${timeoutMs} ms` })))
      this.abort()
    })
  }

  finish(outcome: Outcome) {
    if (this.settled) return
    this.settle()
    this.done(outcome)
  }

  cancel() {
    if (this.settled) return
    this.settle()
    this.abort()
  }

  private settle() {
    this.settled = true
    this.deadlines.settle(this.deadline)
    Metrics.peerCallSettled()
  }

  private abort() {
    this.controller?.abort(new Error("peer call abandoned"))
  }

  private overCap() {
    this.finish(Exit.succeed({ status: this.status, body: Option.none() }))
    this.abort()
  }

  onRequestStart(controller: Undici.Dispatcher.DispatchController) {
    this.controller = controller
    if (this.settled) this.abort()
  }

  onResponseStart(
    _: Undici.Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | Array<string> | undefined>
  ) {
    this.status = statusCode
    if (Number(headers["content-length"]) > MAX_BODY_BYTES) this.overCap()
  }

  onResponseData(_: Undici.Dispatcher.DispatchController, chunk: Buffer) {
    if (this.settled) return
    this.size += chunk.length
    if (this.size > MAX_BODY_BYTES) return this.overCap()
    if (this.first === undefined) this.first = chunk
    else if (this.chunks === undefined) this.chunks = [this.first, chunk]
    else this.chunks.push(chunk)
  }

  onResponseEnd() {
    const body =
      this.chunks !== undefined ? Buffer.concat(this.chunks).toString("utf8") : (this.first?.toString("utf8") ?? "")
    this.finish(Exit.succeed({ status: this.status, body: Option.some(body) }))
  }

  onResponseError(_: Undici.Dispatcher.DispatchController, error: Error) {
    if ((error as { code?: string }).code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") return this.overCap()
    this.finish(Exit.fail(classifyCause(error)))
  }
}
