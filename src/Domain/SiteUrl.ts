import { Either } from "effect"
import { InvalidSiteUrl } from "./Errors.js"
import { isInternalAddress } from "./InternalAddress.js"

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/
const HINT = "(set allow_internal_urls if you need this)"

export const messages = {
  scheme: "must use http or https scheme",
  host: "must include a hostname",
  malformed: "is not a valid URL",
  mdns: `cannot point at .local mDNS hostnames ${HINT}`,
  localhost: `cannot point at localhost ${HINT}`,
  internal: `cannot point at private/loopback/link-local addresses ${HINT}`
} as const

// The one rule for "the same site": URLs that differ only by a path's trailing slashes (https://a.example.com
// and https://a.example.com/). A URL with a query or a fragment is only itself. Returns the other spellings
// worth looking up: without trailing slashes, and with one.
export const sameSite = (siteUrl: string): ReadonlyArray<string> => {
  if (/[?#]/.test(siteUrl)) return []
  const bare = siteUrl.replace(/\/+$/, "")
  return [bare, `${bare}/`].filter((other) => other !== siteUrl)
}

// B §1.4 with A7's fixes. WHATWG URL lower-cases the host and normalises lenient IPv4 forms
// (127.1, 2130706433, 0x7f.0.0.1) to dotted quads, which is what the original's lenient parser accepts.
export const validate = (
  siteUrl: string,
  options: { readonly allowInternal: boolean }
): Either.Either<string, InvalidSiteUrl> => {
  const fail = (message: string) => Either.left(new InvalidSiteUrl({ message: `site_url ${message}` }))
  const scheme = SCHEME.exec(siteUrl)?.[1]?.toLowerCase()
  if (scheme !== "http" && scheme !== "https") return fail(messages.scheme)
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:\/*$/.test(siteUrl)) return fail(messages.host)
  let url: URL
  try {
    url = new URL(siteUrl)
  } catch {
    return fail(messages.malformed)
  }
  if (url.hostname === "") return fail(messages.host)
  if (options.allowInternal) return Either.right(siteUrl)
  const host = url.hostname.endsWith(".") ? url.hostname.slice(0, -1) : url.hostname
  if (host.endsWith(".local")) return fail(messages.mdns)
  if (host === "localhost") return fail(messages.localhost)
  if (isInternalAddress(host)) return fail(messages.internal)
  return Either.right(siteUrl)
}
