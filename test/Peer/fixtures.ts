import { ConfigProvider, DateTime, Layer, Redacted } from "effect"
import { Connection, ConnectionUuid } from "../../src/Domain/Connection.js"
import * as Token from "../../src/Domain/Token.js"
import { PeerClient } from "../../src/Peer/Client.js"
import { PeerHttpClientLive } from "../../src/Peer/Transport.js"

export const OUR_URL = "https://us.example.com"
export const TOKEN = Redacted.make("test-token-123")
// the fake sites listen on 127.0.0.1: internal addresses are allowed here, except in AddressGuard.test.ts
// spec case 1
export const HASH = "19b6b086eebb807f54e6327309dec0ff347a6c3c30bf3bb396f167513eba3475"

export const layer = (config: Record<string, string | number | boolean> = {}) =>
  PeerClient.Default.pipe(
    Layer.provide(PeerHttpClientLive),
    Layer.provide(
      Layer.setConfigProvider(ConfigProvider.fromJson({ SITE_URL: OUR_URL, ALLOW_INTERNAL_URLS: true, ...config }))
    )
  )

const epoch = DateTime.unsafeMake(0)

export const connection = (fields: Partial<ConstructorParameters<typeof Connection>[0]> = {}) =>
  new Connection({
    uuid: ConnectionUuid.make("0198f3a2-5b7c-7def-8123-456789abcdef"),
    name: "Shop",
    direction: "receiver",
    siteUrl: "http://127.0.0.1:1",
    authTokenHash: Token.hash(TOKEN),
    status: "active",
    metadata: {},
    approvedAt: null,
    suspendedAt: null,
    suspendedReason: null,
    revokedAt: null,
    revokedReason: null,
    statusChangedBy: null,
    insertedAt: epoch,
    updatedAt: epoch,
    ...fields
  })
