import { isIPv6 } from "node:net"
import { hostname } from "node:os"
import { Config, Effect, Option } from "effect"
import * as UrlPrefix from "./Domain/UrlPrefix.js"
import * as Setting from "./Setting.js"

// HOST and PORT: where this process listens (the server, the address guard's own address, the admin edge's hosts)
export const host = Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))
export const port = Setting.port("PORT").pipe(Config.withDefault(4000))
// SITE_URL: the URL other sites reach us at, when HOST and PORT do not say it
export const givenSiteUrl = Config.string("SITE_URL").pipe(
  Config.validate({ message: "SITE_URL must be an http(s) URL", validation: (value) => isHttpUrl(value) }),
  Config.option
)
// ALLOW_INTERNAL_URLS: site URLs (and the webhook's) may name private or loopback addresses
export const allowInternalUrls = Config.boolean("ALLOW_INTERNAL_URLS").pipe(Config.withDefault(false))

// Who we are on the wire (B §1.6) and where the sync API lives (B §2); shared by the peer client and routes.
export class SiteConfig extends Effect.Service<SiteConfig>()("syncwatch/SiteConfig", {
  effect: Effect.gen(function* () {
    const listen = yield* host
    const listenPort = yield* port
    const given = yield* givenSiteUrl
    const siteUrl = Option.getOrElse(given, () => defaultSiteUrl(listen, listenPort))
    if (Option.isNone(given) && EVERY_INTERFACE.has(listen)) {
      yield* Effect.logWarning(
        `HOST=${listen} listens on every interface and SITE_URL is unset: other sites are told ${siteUrl}; set SITE_URL to the URL they can reach`
      )
    }
    const urlPrefix = yield* Config.string("SYNC_URL_PREFIX").pipe(
      Config.withDefault("/phoenix_kit"),
      Config.map(UrlPrefix.normalize)
    )
    return { siteUrl, urlPrefix, allowInternalUrls: yield* allowInternalUrls } as const
  })
}) {}

const isHttpUrl = (value: string): boolean => {
  try {
    const url = new URL(value)
    return url.protocol === "http:" || url.protocol === "https:"
  } catch {
    return false
  }
}

const EVERY_INTERFACE = new Set(["0.0.0.0", "::", "[::]"])

// SITE_URL when unset: HOST and PORT as a URL; a wildcard HOST names no address, so the machine's name
export const defaultSiteUrl = (host: string, port: number): string => {
  const name = EVERY_INTERFACE.has(host) ? hostname() : host
  return `http://${isIPv6(name) ? `[${name}]` : name}:${port}`
}
