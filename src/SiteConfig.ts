import { isIPv6 } from "node:net"
import { hostname } from "node:os"
import { Config, Effect, Option } from "effect"
import * as UrlPrefix from "./Domain/UrlPrefix.js"

// Who we are on the wire (B §1.6) and where the sync API lives (B §2); shared by the peer client and routes.
export class SiteConfig extends Effect.Service<SiteConfig>()("syncwatch/SiteConfig", {
  effect: Effect.gen(function* () {
    const host = yield* Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))
    const port = yield* Config.port("PORT").pipe(Config.withDefault(4000))
    const given = yield* Config.string("SITE_URL").pipe(
      Config.validate({ message: "SITE_URL must be an http(s) URL", validation: isHttpUrl }),
      Config.option
    )
    const siteUrl = Option.getOrElse(given, () => defaultSiteUrl(host, port))
    if (Option.isNone(given) && EVERY_INTERFACE.has(host)) {
      yield* Effect.logWarning(
        `HOST=${host} listens on every interface and SITE_URL is unset: other sites are told ${siteUrl}; set SITE_URL to the URL they can reach`
      )
    }
    const urlPrefix = yield* Config.string("SYNC_URL_PREFIX").pipe(
      Config.withDefault("/phoenix_kit"),
      Config.map(UrlPrefix.normalize)
    )
    const allowInternalUrls = yield* Config.boolean("ALLOW_INTERNAL_URLS").pipe(Config.withDefault(false))
    return { siteUrl, urlPrefix, allowInternalUrls } as const
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
