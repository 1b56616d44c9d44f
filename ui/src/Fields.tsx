import type { ComponentChildren } from "preact"
import { type ApiError, OperationError } from "./Api.js"

// A form's fields, and every error said in words beside the field it concerns.

export type FieldName = "name" | "siteUrl" | "token" | "password"
export type FieldErrors = Partial<Record<FieldName | "form", string>>

// the API's typed errors (extensions.code), each at its field; InvalidInput names its own (extensions.field)
const FIELD_OF_CODE: Record<string, FieldName> = {
  InvalidSiteUrl: "siteUrl",
  DuplicateConnection: "siteUrl",
  SelfConnection: "siteUrl",
  Offline: "siteUrl",
  RemoteError: "siteUrl",
  NotFound: "siteUrl",
  DuplicateToken: "token"
}
const FIELD_OF_INPUT: Record<string, FieldName> = {
  name: "name",
  siteUrl: "siteUrl",
  authToken: "token",
  password: "password"
}

const sentence = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

const words = (error: ApiError): string => {
  const reason = /\(([^)]+)\)/.exec(error.message)?.[1]
  switch (error.code) {
    case "InvalidSiteUrl":
      return `This address is refused: it ${error.message.replace(/^site_url /, "")}.`
    case "Offline":
      return `The site did not answer (${reason ?? "offline"}). Check the address, and that the site is running.`
    case "RemoteError":
      return `The site did not answer as a sync site does (${reason ?? "error"}). Check the address.`
    case "DuplicateToken":
      return "Another connection already uses this token. Each site gives its own token."
    case "SelfConnection":
      return "This is this syncwatch's own address: a site cannot connect to itself."
    case "Forbidden":
      return "Only an admin may do this (you are signed in as a viewer)."
    default:
      return `${sentence(error.message)}${/[.!?]$/.test(error.message) ? "" : "."}`
  }
}

export const fieldErrors = (cause: unknown): FieldErrors => {
  if (!(cause instanceof OperationError)) return { form: String(cause) }
  const placed: FieldErrors = {}
  for (const error of cause.errors) {
    const field =
      (error.code === "InvalidInput" && error.field !== undefined ? FIELD_OF_INPUT[error.field] : undefined) ??
      (error.code === undefined ? undefined : FIELD_OF_CODE[error.code]) ??
      "form"
    placed[field] = placed[field] === undefined ? words(error) : `${placed[field]} ${words(error)}`
  }
  return placed
}

// one line of words for an error outside a form (a rename)
export const errorText = (cause: unknown) => Object.values(fieldErrors(cause)).join(" ")

// what the page refuses before sending anything: a site's address is its origin alone (syncwatch adds the
// sync API's path), with no credential in it; a token is pasted exactly as given
export const siteUrlProblem = (value: string): string | undefined => {
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    return "Give the site's address, starting with https:// (or http://), e.g. https://shop.example.com."
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return "Give the site's address, starting with https:// (or http://)."
  if (url.username !== "" || url.password !== "")
    return "Leave the user name and password out of the address: the token is what authenticates."
  if (url.pathname !== "/" || url.search !== "" || url.hash !== "")
    return `Give the site's address only, without a path: ${url.origin} (syncwatch adds the sync API's path).`
  return undefined
}

export const tokenProblem = (value: string): string | undefined =>
  value === ""
    ? "Paste the token the site gave you."
    : /\s/.test(value)
      ? "The token has spaces or line breaks in it. Paste it exactly as the site gave it."
      : undefined

export const Field = ({
  id,
  label,
  hint,
  error,
  children
}: {
  id: string
  label: string
  hint?: string
  error: string | undefined
  children: ComponentChildren
}) => (
  <div class="field">
    <label for={id}>{label}</label>
    {hint === undefined ? null : (
      <p class="hint" id={`${id}-hint`}>
        {hint}
      </p>
    )}
    {children}
    {error === undefined ? null : (
      <p class="field-error" id={`${id}-error`}>
        {error}
      </p>
    )}
  </div>
)

// the attributes that tie an input to its hint and its error
export const described = (id: string, error: string | undefined, hint = false) => {
  const ids = [hint ? `${id}-hint` : "", error === undefined ? "" : `${id}-error`].filter((x) => x !== "")
  return {
    id,
    "aria-invalid": error !== undefined,
    ...(ids.length === 0 ? {} : { "aria-describedby": ids.join(" ") })
  }
}
