import { signal, useSignal } from "@preact/signals"
import type { ComponentChildren } from "preact"
import { useEffect, useRef } from "preact/hooks"
import { checkNew, create, deleteConnection, notice, remoteSite } from "./Api.js"
import {
  described,
  Field,
  type FieldErrors,
  type FieldName,
  fieldErrors,
  siteUrlProblem,
  tokenProblem
} from "./Fields.js"

// The admin's two first steps: "Watch a site" (a receiver: the site gave us a token) and "Let a site connect"
// (a sender: we make the token, shown once, for the other site's admin).

export type Adding = "watch" | "connect"
export const adding = signal<Adding | null>(null)
// a sender's token, from its creation until the admin closes it: never stored, never shown again
const madeToken = signal<{ readonly name: string; readonly token: string } | null>(null)

export const AddBar = () => (
  <div class="add-bar">
    <button type="button" aria-expanded={adding.value === "watch"} onClick={() => (adding.value = "watch")}>
      Watch a site
    </button>
    <button type="button" aria-expanded={adding.value === "connect"} onClick={() => (adding.value = "connect")}>
      Let a site connect
    </button>
  </div>
)

const useForm = () => {
  const errors = useSignal<FieldErrors>({})
  const busy = useSignal(false)
  const submit = (refuse: () => FieldErrors, work: () => Promise<void>) => (event: Event) => {
    event.preventDefault()
    const refused = refuse()
    errors.value = refused
    if (Object.keys(refused).length > 0) return
    busy.value = true
    work().then(
      () => {
        busy.value = false
      },
      (cause: unknown) => {
        busy.value = false
        errors.value = fieldErrors(cause)
      }
    )
  }
  return { errors, busy, submit }
}

const only = (entries: ReadonlyArray<readonly [FieldName, string | undefined]>): FieldErrors =>
  Object.fromEntries(entries.filter(([, problem]) => problem !== undefined))

const text = (target: { value: string }) => (event: Event) => {
  target.value = (event.target as HTMLInputElement).value
}

const FormEnd = ({ busy, label, error }: { busy: boolean; label: string; error: string | undefined }) => (
  <>
    {error === undefined ? null : (
      <p class="field-error" role="alert">
        {error}
      </p>
    )}
    <div class="form-buttons">
      <button type="submit" disabled={busy}>
        {busy ? "Working…" : label}
      </button>
      <button type="button" onClick={() => (adding.value = null)}>
        Cancel
      </button>
    </div>
  </>
)

// a form of its own panel; its heading takes the focus when it opens, so a keyboard or screen reader user is there
const FormPanel = ({
  id,
  title,
  intro,
  onSubmit,
  children
}: {
  id: string
  title: string
  intro: string
  onSubmit: (event: Event) => void
  children: ComponentChildren
}) => {
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [])
  return (
    <form class="panel" aria-labelledby={`${id}-title`} onSubmit={onSubmit}>
      <h2 id={`${id}-title`} tabIndex={-1} ref={heading}>
        {title}
      </h2>
      <p>{intro}</p>
      {children}
    </form>
  )
}

const WatchForm = () => {
  const { errors, busy, submit } = useForm()
  const siteUrl = useSignal("")
  const token = useSignal("")
  const name = useSignal("")
  const e = errors.value
  return (
    <FormPanel
      id="watch"
      title="Watch a site"
      intro="The other site's admin let this syncwatch connect and gave you a token. syncwatch then asks that site, live, whether the connection holds."
      onSubmit={submit(
        () =>
          only([
            ["siteUrl", siteUrlProblem(siteUrl.value)],
            ["token", tokenProblem(token.value)]
          ]),
        async () => {
          const url = new URL(siteUrl.value.trim())
          const created = await create({
            name: name.value === "" ? url.host : name.value,
            direction: "RECEIVER",
            siteUrl: url.origin,
            authToken: token.value,
            status: null,
            remoteNotified: null,
            notifyRemote: null,
            password: null
          })
          adding.value = null
          notice.value = { kind: "info", text: `Watching ${created.connection.name}: checking it now` }
          await checkNew(created.connection)
        }
      )}
    >
      <Field id="watch-site" label="The site's address" hint="e.g. https://shop.example.com" error={e.siteUrl}>
        <input
          {...described("watch-site", e.siteUrl, true)}
          type="url"
          inputMode="url"
          autocomplete="url"
          value={siteUrl.value}
          onInput={text(siteUrl)}
        />
      </Field>
      <Field id="watch-token" label="The token it gave you" error={e.token}>
        <input
          {...described("watch-token", e.token)}
          autocomplete="off"
          spellcheck={false}
          value={token.value}
          onInput={text(token)}
        />
      </Field>
      <Field id="watch-name" label="Name (optional)" hint="Defaults to the site's host name" error={e.name}>
        <input {...described("watch-name", e.name, true)} value={name.value} onInput={text(name)} />
      </Field>
      <FormEnd busy={busy.value} label="Watch this site" error={e.form} />
    </FormPanel>
  )
}

const ConnectForm = () => {
  const { errors, busy, submit } = useForm()
  const name = useSignal("")
  const siteUrl = useSignal("")
  const tell = useSignal(true)
  const password = useSignal("")
  const e = errors.value
  return (
    <FormPanel
      id="connect"
      title="Let a site connect"
      intro={'This makes a token for the other site. Its admin enters it there ("Watch a site" in its syncwatch).'}
      onSubmit={submit(
        () => only([["siteUrl", siteUrlProblem(siteUrl.value)]]),
        async () => {
          const url = new URL(siteUrl.value.trim()).origin
          if (tell.value) {
            // asked first, so a site that takes no connections leaves nothing behind
            const remote = await remoteSite(url)
            const refused = !remote.enabled
              ? "The site has its sync API turned off: it takes no connections."
              : remote.incomingMode === "deny_all"
                ? "The site refuses new connections (its incoming mode is deny_all)."
                : undefined
            const problem: FieldErrors | undefined =
              refused !== undefined
                ? { siteUrl: refused }
                : remote.passwordRequired && password.value === ""
                  ? { password: "This site asks for its connection password." }
                  : undefined
            if (problem !== undefined) {
              errors.value = problem
              return
            }
          }
          const created = await create({
            name: name.value,
            direction: "SENDER",
            siteUrl: url,
            authToken: null,
            status: null,
            remoteNotified: null,
            notifyRemote: tell.value,
            password: password.value === "" ? null : password.value
          })
          const answer = created.remoteNotification
          if (answer !== null && !answer.success) {
            // the site said no: the sender it would have used goes too
            await deleteConnection({ ...created.connection, last: null, history: [] })
            errors.value = {
              siteUrl: `The site refused the connection: ${answer.message ?? answer.status}${answer.httpStatus === null ? "" : ` (HTTP ${answer.httpStatus})`}.`
            }
            return
          }
          adding.value = null
          madeToken.value = { name: created.connection.name, token: created.authToken }
          notice.value = {
            kind: "info",
            text:
              answer === null
                ? `${created.connection.name} may now connect, once its admin has the token.`
                : `${created.connection.name} was told (${answer.status}).`
          }
          await checkNew(created.connection)
        }
      )}
    >
      <Field id="connect-name" label="The site's name" hint="How you call it here, e.g. Shop" error={e.name}>
        <input {...described("connect-name", e.name, true)} value={name.value} onInput={text(name)} />
      </Field>
      <Field id="connect-site" label="The site's address" hint="e.g. https://shop.example.com" error={e.siteUrl}>
        <input
          {...described("connect-site", e.siteUrl, true)}
          type="url"
          inputMode="url"
          value={siteUrl.value}
          onInput={text(siteUrl)}
        />
      </Field>
      <div class="field check">
        <input
          id="connect-tell"
          type="checkbox"
          checked={tell.value}
          onChange={(event) => {
            tell.value = (event.target as HTMLInputElement).checked
          }}
        />
        <label for="connect-tell">Tell the site now (it registers the connection; it may wait for its admin)</label>
      </div>
      {tell.value ? (
        <Field id="connect-password" label="The site's connection password (when it asks for one)" error={e.password}>
          <input
            {...described("connect-password", e.password)}
            type="password"
            autocomplete="off"
            value={password.value}
            onInput={text(password)}
          />
        </Field>
      ) : null}
      <FormEnd busy={busy.value} label="Make the token" error={e.form} />
    </FormPanel>
  )
}

const TokenOnce = ({ name, token }: { name: string; token: string }) => {
  const copied = useSignal<string | null>(null)
  const heading = useRef<HTMLHeadingElement>(null)
  useEffect(() => heading.current?.focus(), [])
  return (
    <section class="panel token-once" aria-labelledby="token-title">
      <h2 id="token-title" tabIndex={-1} ref={heading}>
        The token for {name}
      </h2>
      <p class="warning">
        <strong>It will not be shown again.</strong> Copy it now and give it to the other site's admin; only its hash is
        kept here.
      </p>
      <label for="made-token">Token</label>
      <div class="token-line">
        <input id="made-token" readOnly value={token} spellcheck={false} />
        <button
          type="button"
          onClick={() =>
            navigator.clipboard.writeText(token).then(
              () => (copied.value = "Copied."),
              () => (copied.value = "The browser did not allow copying: select the token and copy it.")
            )
          }
        >
          Copy
        </button>
      </div>
      <p role="status">{copied.value}</p>
      <button type="button" onClick={() => (madeToken.value = null)}>
        I have copied it, close
      </button>
    </section>
  )
}

export const AddPanel = () => {
  const made = madeToken.value
  if (made !== null) return <TokenOnce name={made.name} token={made.token} />
  if (adding.value === "watch") return <WatchForm />
  if (adding.value === "connect") return <ConnectForm />
  return null
}
