// B §2: trim, drop every trailing "/", then ensure a single leading "/"; empty stays empty
export const normalize = (raw: string): string => {
  const trimmed = raw.trim().replace(/\/+$/, "")
  if (trimmed === "") return ""
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`
}

export type Endpoint =
  | "status"
  | "register-connection"
  | "delete-connection"
  | "verify-connection"
  | "update-status"
  | "get-connection-status"

// B §2: <site_url without trailing slashes><prefix>/sync/api/<endpoint>; nothing else is normalised
export const endpointUrl = (siteUrl: string, prefix: string, endpoint: Endpoint): string =>
  `${siteUrl.replace(/\/+$/, "")}${prefix}/sync/api/${endpoint}`
