import type { StatusChange } from "./StatusChange.js"

// the fewest connections checked in a round for the mass rule to apply, as the sever brake's
export const MIN_CHECKED = 4

export type Incident =
  // most of a round's checks turned OFFLINE together: our network, DNS or egress is the likely cause
  | {
      readonly _tag: "OurSide"
      readonly checked: number
      readonly offline: number
      readonly changes: ReadonlyArray<StatusChange>
    }
  // the changes of one host (several sites on one server or load balancer), or of one connection
  | { readonly _tag: "Host"; readonly host: string | null; readonly changes: ReadonlyArray<StatusChange> }

// One alert per incident: the changes confirmed in one round, seen together. More than `massPercent` of at
// least MIN_CHECKED checked connections turning OFFLINE is one "probably our side" incident; otherwise the
// changes are grouped by their site's host (a connection whose host is unknown is its own incident).
export const incidents = (
  changes: ReadonlyArray<StatusChange>,
  checked: number,
  massPercent: number,
  hostOf: (change: StatusChange) => string | null
): ReadonlyArray<Incident> => {
  if (changes.length === 0) return []
  const offline = changes.filter((change) => change.to === "OFFLINE").length
  if (checked >= MIN_CHECKED && offline * 100 > massPercent * checked) {
    return [{ _tag: "OurSide", checked, offline, changes }]
  }
  const byHost = new Map<string, { host: string | null; changes: Array<StatusChange> }>()
  for (const change of changes) {
    const host = hostOf(change)
    const key = host ?? `\u0000${change.connectionUuid}`
    const group = byHost.get(key)
    if (group === undefined) byHost.set(key, { host, changes: [change] })
    else group.changes.push(change)
  }
  return Array.from(byHost.values(), ({ host, changes }) => ({ _tag: "Host", host, changes }))
}

// the host sites share: the URL's host name (a port or a path tells sites apart on one server, not servers)
export const hostOfSite = (siteUrl: string): string | null => {
  try {
    return new URL(siteUrl).hostname
  } catch {
    return null
  }
}
