import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import type { Resolve } from "../../src/Peer/AddressGuard.js"
import * as AddressGuard from "../../src/Peer/AddressGuard.js"
import { PeerClient } from "../../src/Peer/Client.js"
import * as FakeSite from "../utils/FakeSite.js"
import * as Peer from "../utils/Peer.js"
import { connection, layer } from "./fixtures.js"

const ACTIVE = FakeSite.json(200, { success: true, status: "active", name: "Shop" })

// a resolver stub: no real DNS; what it answers is the only address the socket may dial
const resolving =
  (table: Record<string, ReadonlyArray<string>>): Resolve =>
  async (hostname) => {
    const addresses = table[hostname]
    if (addresses === undefined) throw Object.assign(new Error(`stub: ${hostname} unknown`), { code: "ENOTFOUND" })
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }))
  }

const guarded = (table: Record<string, ReadonlyArray<string>>, config: Record<string, string | number | boolean>) =>
  layer(config).pipe(Layer.provide(Layer.succeed(AddressGuard.Resolver, resolving(table))))

const statusOf = (siteUrl: string) => Effect.flatMap(PeerClient, (peer) => Peer.statusOf(peer, connection({ siteUrl })))

describe("address classification", () => {
  it.each([
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "::",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:7f00:1",
    // IPv6 forms carrying an internal IPv4 address (issue 18)
    "::127.0.0.1",
    "::7f00:1",
    "::ffff:0:7f00:1",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::",
    "2002:a00:1::1",
    // not public unicast
    "64:ff9b:1::808:808",
    "2001::1",
    "fec0::1",
    "2001:db8::1",
    "192.0.2.1",
    "240.0.0.1"
  ])("%s is internal", (address) => {
    expect(AddressGuard.isInternal(address)).toBe(true)
  })

  it.each(["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"])(
    "%s is public",
    (address) => {
      expect(AddressGuard.isInternal(address)).toBe(false)
    }
  )
})

describe("resolve, then pin (ALLOW_INTERNAL_URLS=false)", () => {
  it.scoped("a host name that resolves to 127.0.0.1 is refused at connect time, and nothing is sent", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(ACTIVE)
      const error = yield* Effect.flip(statusOf(`http://shop.test:${site.port}`)).pipe(
        Effect.provide(guarded({ "shop.test": ["127.0.0.1"] }, { ALLOW_INTERNAL_URLS: false }))
      )
      expect(error).toMatchObject({ _tag: "RemoteError", reason: "internal_address" })
      expect(yield* site.requests).toEqual([])
    })
  )

  it.scoped("so is one that resolves to an IPv4-mapped IPv6 loopback, and an internal IP literal", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(ACTIVE)
      const layer = guarded({ "mapped.test": ["::ffff:127.0.0.1"] }, { ALLOW_INTERNAL_URLS: false })
      const mapped = yield* Effect.flip(statusOf(`http://mapped.test:${site.port}`)).pipe(Effect.provide(layer))
      expect(mapped).toMatchObject({ _tag: "RemoteError", reason: "internal_address" })
      const literal = yield* Effect.flip(statusOf(site.url)).pipe(Effect.provide(layer))
      expect(literal).toMatchObject({ _tag: "RemoteError", reason: "internal_address" })
      expect(yield* site.requests).toEqual([])
    })
  )

  it.scoped.each(["::127.0.0.1", "::ffff:0:7f00:1", "64:ff9b::7f00:1", "2002:7f00:1::"])(
    "a name that resolves to %s (an IPv6 form of 127.0.0.1) is refused at connect time, and nothing is sent",
    (address) =>
      Effect.gen(function* () {
        const site = yield* FakeSite.make(ACTIVE)
        const layer = guarded({ "transition.test": [address] }, { ALLOW_INTERNAL_URLS: false })
        const byName = yield* Effect.flip(statusOf(`http://transition.test:${site.port}`)).pipe(Effect.provide(layer))
        expect(byName).toMatchObject({ _tag: "RemoteError", reason: "internal_address" })
        const literal = yield* Effect.flip(statusOf(`http://[${address}]:${site.port}`)).pipe(Effect.provide(layer))
        expect(literal).toMatchObject({ _tag: "RemoteError", reason: "internal_address" })
        expect(yield* site.requests).toEqual([])
      })
  )

  it.scoped("with ALLOW_INTERNAL_URLS the name is dialled at the address the resolver gave", () =>
    Effect.gen(function* () {
      const site = yield* FakeSite.make(ACTIVE)
      const answer = yield* statusOf(`http://shop.test:${site.port}`).pipe(
        Effect.provide(guarded({ "shop.test": ["127.0.0.1"] }, { ALLOW_INTERNAL_URLS: true }))
      )
      expect(answer.status).toBe("active")
      const [request] = yield* site.requests
      expect(request?.headers["host"]).toBe(`shop.test:${site.port}`)
    })
  )

  it.scoped("a name the resolver does not know is Offline (dns)", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(statusOf("http://nowhere.test")).pipe(
        Effect.provide(guarded({}, { ALLOW_INTERNAL_URLS: true }))
      )
      expect(error).toMatchObject({ _tag: "Offline", reason: "dns" })
    })
  )
})

describe("self-connection by resolved address and port", () => {
  it.scoped("localhost:PORT is refused like 127.0.0.1:PORT, even with internal URLs allowed", () =>
    Effect.gen(function* () {
      // the fake site stands where we listen ourselves
      const site = yield* FakeSite.make(ACTIVE)
      const layer = guarded(
        { localhost: ["127.0.0.1"], "alias.test": ["::1", "127.0.0.1"], "nat64.test": ["64:ff9b::7f00:1"] },
        { ALLOW_INTERNAL_URLS: true, HOST: "127.0.0.1", PORT: site.port }
      )
      for (const url of [
        `http://localhost:${site.port}`,
        `http://127.0.0.1:${site.port}`,
        `http://alias.test:${site.port}`,
        `http://nat64.test:${site.port}`
      ]) {
        const error = yield* Effect.flip(statusOf(url)).pipe(Effect.provide(layer))
        expect(error, url).toMatchObject({ _tag: "RemoteError", reason: "self_address" })
      }
      expect(yield* site.requests).toEqual([])
      // another port on the same machine is another site
      const other = yield* FakeSite.make(ACTIVE)
      expect((yield* statusOf(`http://localhost:${other.port}`).pipe(Effect.provide(layer))).status).toBe("active")
    })
  )
})
