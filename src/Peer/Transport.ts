import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import Undici from "@effect/platform-node/Undici"
import { Effect, Layer } from "effect"
import { MAX_BODY_BYTES } from "./Wire.js"

// undici gives up connecting after 10 s by default; the reference (Mint) waits 30 s, and our own
// PEER_TIMEOUT_MS deadline is the real bound, so the socket timeouts only sit above it as a backstop (A5).
// maxResponseSize stops a body over the cap while it streams in, without buffering it.
const DispatcherLive = Layer.scoped(
  NodeHttpClient.Dispatcher,
  Effect.acquireRelease(
    Effect.sync(() => new Undici.Agent({ connect: { timeout: 30_000 }, maxResponseSize: MAX_BODY_BYTES })),
    (agent) => Effect.promise(() => agent.destroy())
  )
)

export const PeerHttpClientLive = NodeHttpClient.layerUndiciWithoutDispatcher.pipe(Layer.provide(DispatcherLive))
