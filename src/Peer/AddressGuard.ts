import { promises as Dns } from "node:dns"
import { isIP, type LookupFunction } from "node:net"
import { networkInterfaces } from "node:os"
import Undici from "@effect/platform-node/Undici"
import { Context, Effect, Runtime } from "effect"
import { classify, isInternalAddress } from "../Domain/InternalAddress.js"
import * as Site from "../SiteConfig.js"

// SSRF, resolve then pin: the address checked is the address dialled. The site-URL guard only sees names;
// a name can resolve to anything, and again differently a second later (DNS rebinding).

export interface Address {
  readonly address: string
  readonly family: number
}

export type Resolve = (hostname: string) => Promise<ReadonlyArray<Address>>

// the system's resolver; tests swap in a stub, so no real DNS is needed
export class Resolver extends Context.Reference<Resolver>()("syncwatch/Peer/AddressGuard/Resolver", {
  defaultValue: (): Resolve => (hostname) => Dns.lookup(hostname, { all: true, verbatim: true })
}) {}

export const INTERNAL_ADDRESS = "ERR_SYNCWATCH_INTERNAL_ADDRESS"
export const SELF_ADDRESS = "ERR_SYNCWATCH_SELF_ADDRESS"

// The message reaches callers (a query's error, a check's detail): it never names the address a host name
// resolved to, which would map the network behind us; the address goes to the debug log only.
const refused = (policy: Policy, code: string, address: string, port: number, message: string) => {
  policy.debug?.(`AddressGuard refused ${address}:${port}: ${message}`)
  return Object.assign(new Error(message), { code })
}

export const isInternal = isInternalAddress

// one spelling per address, and an IPv6 form's carried IPv4 address as that address: ::ffff:127.0.0.1 and
// 64:ff9b::7f00:1 are 127.0.0.1 here
const canonical = (address: string) => classify(address)?.address ?? address

export interface Policy {
  readonly allowInternal: boolean
  // where we listen ourselves: a connection there would be to ourselves
  readonly selfPort: number
  readonly selfAddresses: ReadonlySet<string>
  readonly resolve: Resolve
  readonly debug?: (message: string) => void
}

const isLoopback = (address: string) => classify(address)?.range === "loopback"

// null when the address may be dialled, else the reason
export const check = (policy: Policy, address: string, port: number): Error | null => {
  if (port === policy.selfPort && (isLoopback(address) || policy.selfAddresses.has(canonical(address)))) {
    return refused(policy, SELF_ADDRESS, address, port, "the site's address is this syncwatch itself")
  }
  if (!policy.allowInternal && isInternal(address)) {
    return refused(
      policy,
      INTERNAL_ADDRESS,
      address,
      port,
      "the site's address is internal (set ALLOW_INTERNAL_URLS if you need it)"
    )
  }
  return null
}

// net.connect's lookup: resolve, keep only what may be dialled, hand exactly that to the socket
export const lookup =
  (policy: Policy, port: number): LookupFunction =>
  (hostname, options, callback) => {
    policy.resolve(hostname).then(
      (addresses) => {
        const wanted = addresses.filter((a) => !options.family || a.family === options.family)
        const checked = wanted.map((a) => ({ ...a, refusal: check(policy, a.address, port) }))
        const allowed = checked.filter((a) => a.refusal === null)
        const [first] = allowed
        if (first === undefined) {
          const error =
            checked[0]?.refusal ?? Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" })
          return callback(error as NodeJS.ErrnoException, "", 4)
        }
        if (options.all)
          return (callback as unknown as (error: null, all: ReadonlyArray<Address>) => void)(
            null,
            allowed.map(({ address, family }) => ({ address, family }))
          )
        return callback(null, first.address, first.family)
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 4)
    )
  }

// undici's connector with the pinned lookup; an IP literal skips lookup in net.connect, so it is checked here
export const connector = (policy: Policy, options: { readonly timeout: number }): Undici.buildConnector.connector => {
  const byPort = new Map<number, Undici.buildConnector.connector>()
  return (connect, callback) => {
    const port = Number(connect.port) || (connect.protocol === "https:" ? 443 : 80)
    const host = connect.hostname.replace(/^\[(.*)\]$/, "$1")
    const literal = isIP(host) === 0 ? null : check(policy, host, port)
    if (literal !== null) return callback(literal, null)
    let dial = byPort.get(port)
    if (dial === undefined) {
      dial = Undici.buildConnector({ timeout: options.timeout, lookup: lookup(policy, port) })
      byPort.set(port, dial)
    }
    return dial(connect, callback)
  }
}

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]"])

export const policy = Effect.gen(function* () {
  const allowInternal = yield* Site.allowInternalUrls
  const host = yield* Site.host
  const selfPort = yield* Site.port
  const resolve = yield* Resolver
  const interfaces = WILDCARDS.has(host)
    ? Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address))
    : []
  const selfAddresses = new Set([host, ...interfaces].filter((a) => isIP(a) !== 0).map(canonical))
  const runtime = yield* Effect.runtime<never>()
  const debug = (message: string) => Runtime.runSync(runtime)(Effect.logDebug(message))
  return { allowInternal, selfPort, selfAddresses, resolve, debug } satisfies Policy
})
