import { Either } from "effect"
import { InvalidSiteUrl } from "./Errors.js"

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

export const isInternalAddress = (host: string): boolean => {
  if (host.startsWith("[") && host.endsWith("]")) {
    const groups = parseIpv6(host.slice(1, -1))
    return groups !== undefined && isInternalIpv6(groups)
  }
  const octets = parseIpv4(host)
  return octets !== undefined && isInternalIpv4(octets)
}

const parseIpv4 = (host: string): ReadonlyArray<number> | undefined => {
  const parts = host.split(".")
  if (parts.length !== 4) return undefined
  const octets = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : Number.NaN))
  return octets.every((n) => n >= 0 && n <= 255) ? octets : undefined
}

const isInternalIpv4 = ([a = 0, b = 0, c = 0, d = 0]: ReadonlyArray<number>): boolean =>
  a === 0 ||
  a === 10 ||
  a === 127 ||
  (a === 169 && b === 254) ||
  (a === 172 && b >= 16 && b <= 31) ||
  (a === 192 && b === 168) ||
  (a === 100 && b >= 64 && b <= 127) || // CGNAT 100.64.0.0/10
  a >= 224 || // multicast 224/4, reserved 240/4 and broadcast
  (a === 255 && b === 255 && c === 255 && d === 255)

// WHATWG has already compressed and hex-encoded the address (embedded IPv4 included)
const parseIpv6 = (address: string): ReadonlyArray<number> | undefined => {
  const [head = "", tail, ...rest] = address.split("::")
  if (rest.length > 0) return undefined
  const toGroups = (s: string) => (s === "" ? [] : s.split(":").map((g) => Number.parseInt(g, 16)))
  const left = toGroups(head)
  const right = tail === undefined ? [] : toGroups(tail)
  const fill = tail === undefined ? 0 : 8 - left.length - right.length
  const groups = [...left, ...Array<number>(fill).fill(0), ...right]
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : undefined
}

const isInternalIpv6 = (groups: ReadonlyArray<number>): boolean => {
  const [first = 0] = groups
  const allZeroBefore = (n: number) => groups.slice(0, n).every((g) => g === 0)
  if (allZeroBefore(8)) return true // ::
  if (allZeroBefore(7) && groups[7] === 1) return true // ::1
  if (allZeroBefore(5) && groups[5] === 0xffff) {
    // IPv4-mapped ::ffff:a.b.c.d
    const [hi = 0, lo = 0] = groups.slice(6)
    return isInternalIpv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff])
  }
  return (
    (first >= 0xfc00 && first <= 0xfdff) || // fc00::/7
    (first >= 0xfe80 && first <= 0xfebf) || // fe80::/10
    first >= 0xff00 // multicast ff00::/8
  )
}
