import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Logger, LogLevel } from "effect"
import * as AddressGuard from "../../src/Peer/AddressGuard.js"
import { PeerClient } from "../../src/Peer/Client.js"
import * as FakeSite from "../utils/FakeSite.js"
import { captureLogs, logfmt } from "../utils/Logs.js"
import { statusOf } from "../utils/Peer.js"
import { connection, layer } from "./fixtures.js"

// What a refused dial tells its caller: the class of the refusal, never the address a name resolved to
// (that would let a caller map the network behind us). The address is in the debug log only.

const RESOLVED = "127.0.0.1"

const withLines = (config: Record<string, string | number | boolean>) => {
  const { lines, layer: capture } = captureLogs(logfmt)
  const guarded = layer(config).pipe(
    Layer.provide(Layer.succeed(AddressGuard.Resolver, async () => [{ address: RESOLVED, family: 4 }])),
    Layer.provide(Layer.merge(capture, Logger.minimumLogLevel(LogLevel.Debug)))
  )
  return { lines, guarded }
}

describe("a refused dial's error", () => {
  it.scoped("names no resolved address, internal or self; the debug log does", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(FakeSite.json(200, { success: true, status: "active" }))
      for (const [config, reason] of [
        [{ ALLOW_INTERNAL_URLS: false }, "internal_address"],
        [{ ALLOW_INTERNAL_URLS: true, PORT: site.port }, "self_address"]
      ] as const) {
        const { lines, guarded } = withLines(config)
        const error = yield* Effect.flip(
          Effect.flatMap(PeerClient, (peer) =>
            statusOf(peer, connection({ siteUrl: `http://shop.test:${site.port}` }))
          ).pipe(Effect.provide(guarded))
        )
        assert.deepInclude(error, { _tag: "RemoteError", reason })
        assert.notInclude(error.message, RESOLVED)
        assert.notInclude(JSON.stringify(error), RESOLVED)
        assert.isTrue(
          lines.some((line) => line.includes("level=DEBUG") && line.includes(`${RESOLVED}:${site.port}`)),
          lines.join("\n")
        )
      }
      assert.deepStrictEqual(yield* site.requests, [])
    })
  )
})
