import ipaddr from "ipaddr.js"

// Which addresses a site URL may point at, at save (a literal) and at dial (what a name resolves to): only
// those ipaddr.js files under `unicast`, the public rest. An IPv6 form that carries an IPv4 address (mapped,
// translated, NAT64, 6to4, IPv4-compatible) is judged by that IPv4 address, because a network that routes the
// form delivers it there. The table: docs/address-guard.md.

// the IPv4 address an IPv6 transition form carries, or why the form is refused whole
const carried = (address: ipaddr.IPv6, range: string): ipaddr.IPv4 | string | undefined => {
  const [p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0, p7 = 0] = address.parts
  const v4 = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff])
  switch (range) {
    case "ipv4Mapped": // ::ffff:0:0/96
    case "rfc6145": // ::ffff:0:0:0/96, SIIT
      return v4(p6, p7)
    case "rfc6052":
      // 64:ff9b::/96, NAT64's well-known prefix; 64:ff9b:1::/48 is for a network's own translators (RFC 8215)
      return p1 === 0xff9b && p2 === 0 && p3 === 0 && p4 === 0 && p5 === 0 ? v4(p6, p7) : "localUseNat64"
    case "6to4": // 2002:AABB:CCDD::/48
      return v4(p1, p2)
    case "unicast":
      // ::a.b.c.d, IPv4-compatible (deprecated; :: and ::1 have ranges of their own)
      return p0 === 0 && p1 === 0 && p2 === 0 && p3 === 0 && p4 === 0 && p5 === 0 ? v4(p6, p7) : undefined
    default:
      return undefined
  }
}

export interface Classified {
  // ipaddr.js's name for the range that decides, e.g. `loopback`; `unicast` alone may be dialled
  readonly range: string
  // the address that decides: the carried IPv4 address of a transition form, else the address itself
  readonly address: string
}

// undefined for anything but an IP address (a host name); IPv6 with or without brackets
export const classify = (host: string): Classified | undefined => {
  const literal = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host
  if (!ipaddr.isValid(literal)) return undefined
  const address = ipaddr.parse(literal)
  const range = address.range() as string
  if (address.kind() === "ipv4") return { range, address: address.toString() }
  const inner = carried(address as ipaddr.IPv6, range)
  if (typeof inner === "string") return { range: inner, address: address.toString() }
  return inner === undefined
    ? { range, address: address.toString() }
    : { range: inner.range() as string, address: inner.toString() }
}

export const isInternalAddress = (host: string): boolean => {
  const classified = classify(host)
  return classified !== undefined && classified.range !== "unicast"
}
