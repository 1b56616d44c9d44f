import { computed, signal, useSignal } from "@preact/signals"
import { useLayoutEffect, useRef } from "preact/hooks"
import { checking, checkOne, deleteConnection, rename, role, setStatus } from "./Api.js"
import { errorText } from "./Fields.js"
import { ago, NOT_CHECKED, outcomeOf, type Row, spell, tone } from "./Model.js"
import { Timeline } from "./Timeline.js"
import { Uptime } from "./Uptime.js"

// One connection: a table row on a wide screen, a card on a narrow one (style.css); its confirm steps and its
// rename form stay inside it.

export const now = signal(Date.now())
setInterval(() => {
  now.value = Date.now()
}, 1000)

export const isAdmin = computed(() => role.value === "ADMIN")

type Step =
  | { readonly kind: "status"; readonly status: "ACTIVE" | "SUSPENDED" }
  | { readonly kind: "delete" }
  | { readonly kind: "rename" }
// the row waiting for the user to confirm, and what
const pending = signal<{ readonly uuid: string; readonly step: Step } | null>(null)
const close = () => {
  pending.value = null
}

// the text says the status; a mark beside it (style.css) says its family again without colour
export const Badge = ({ value, text }: { value: string; text?: string }) => (
  <span class={`badge tone-${tone(value)}`}>{text ?? spell(value)}</span>
)

// focused as soon as it is in the DOM (a layout effect: a plain effect waits for a frame, and a busy page
// could be clicked on before it)
const useFocus = () => {
  const target = useRef<HTMLButtonElement & HTMLInputElement>(null)
  useLayoutEffect(() => target.current?.focus(), [])
  return target
}

const Confirm = ({ row, step }: { row: Row; step: Exclude<Step, { kind: "rename" }> }) => {
  const button = useFocus()
  const verb = step.kind === "delete" ? "Delete" : step.status === "SUSPENDED" ? "Suspend" : "Activate"
  const warning =
    step.kind === "delete" ? " The remote site is told, and the connection and its history are removed." : ""
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape cancels; the buttons inside are the controls
    <div
      class="confirm"
      onKeyDown={(event) => {
        if (event.key === "Escape") close()
      }}
    >
      <p>
        {verb} {row.name}?{warning}
      </p>
      <button
        type="button"
        ref={button}
        onClick={() => {
          close()
          void (step.kind === "delete" ? deleteConnection(row) : setStatus(row, step.status))
        }}
      >
        Yes, {verb.toLowerCase()}
      </button>{" "}
      <button type="button" onClick={close}>
        Cancel
      </button>
    </div>
  )
}

const Rename = ({ row }: { row: Row }) => {
  const input = useFocus()
  const name = useSignal(row.name)
  const error = useSignal<string | null>(null)
  const id = `rename-${row.uuid}`
  return (
    <form
      class="confirm"
      onSubmit={(event) => {
        event.preventDefault()
        rename(row, name.value).then(close, (cause: unknown) => {
          error.value = errorText(cause)
        })
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") close()
      }}
    >
      <label for={id}>New name for {row.name}</label>
      <input
        id={id}
        ref={input}
        value={name.value}
        aria-invalid={error.value !== null}
        aria-describedby={error.value === null ? undefined : `${id}-error`}
        onInput={(event) => {
          name.value = (event.target as HTMLInputElement).value
        }}
      />
      {error.value === null ? null : (
        <p id={`${id}-error`} class="field-error">
          {error.value}
        </p>
      )}
      <button type="submit">Save name</button>{" "}
      <button type="button" onClick={close}>
        Cancel
      </button>
    </form>
  )
}

const Actions = ({ row }: { row: Row }) => {
  const step = pending.value?.uuid === row.uuid ? pending.value.step : null
  if (step?.kind === "rename") return <Rename row={row} />
  if (step !== null) return <Confirm row={row} step={step} />
  const target = row.status === "ACTIVE" ? "SUSPENDED" : "ACTIVE"
  const verb = target === "SUSPENDED" ? "Suspend" : "Activate"
  const ask = (next: Step) => () => {
    pending.value = { uuid: row.uuid, step: next }
  }
  return (
    <div class="actions">
      <button
        type="button"
        disabled={checking.value.has(row.uuid)}
        onClick={() => void checkOne(row)}
        aria-label={`Check now: ${row.name}`}
      >
        Check now
      </button>
      <button type="button" onClick={ask({ kind: "status", status: target })} aria-label={`${verb} ${row.name}`}>
        {verb}
      </button>
      <button type="button" onClick={ask({ kind: "rename" })} aria-label={`Rename ${row.name}`}>
        Rename
      </button>
      <button type="button" onClick={ask({ kind: "delete" })} aria-label={`Delete ${row.name}`}>
        Delete
      </button>
    </div>
  )
}

export const ConnectionRow = ({ row }: { row: Row }) => {
  const outcome = outcomeOf(row)
  return (
    <tr data-uuid={row.uuid} data-outcome={outcome}>
      <th scope="row" data-label="Connection">
        <span class="name">{row.name}</span>
        <span class="meta">
          {row.direction === "RECEIVER" ? "receiver: watches" : "sender: lets connect"}{" "}
          <span class="site">{row.siteUrl}</span>
        </span>
      </th>
      <td data-column="status" data-label="Local status">
        <Badge value={row.status} />
        {row.suspendedReason !== null && row.status === "SUSPENDED" ? (
          <span class="why"> ({row.suspendedReason})</span>
        ) : null}
      </td>
      <td data-column="outcome" data-label="Last check">
        {checking.value.has(row.uuid) ? <span class="checking">checking… </span> : null}
        {outcome === NOT_CHECKED ? <Badge value={outcome} text="not checked yet" /> : <Badge value={outcome} />}
      </td>
      <td data-column="reason" data-label="Reason">
        {row.last?.reason ?? "–"}
      </td>
      <td data-column="checked" data-label="Checked">
        {row.last === null ? "–" : <time dateTime={row.last.checkedAt}>{ago(row.last.checkedAt, now.value)}</time>}
        {row.last?.durationMs == null ? null : (
          <span class="duration">
            {" "}
            in <span data-column="duration">{`${Math.round(row.last.durationMs)} ms`}</span>
          </span>
        )}
      </td>
      <td data-label="Last 24 h">
        <Timeline history={row.history} now={now.value} name={row.name} />
      </td>
      <td data-column="uptime" data-label="Uptime">
        <Uptime uuid={row.uuid} name={row.name} />
      </td>
      {isAdmin.value ? (
        <td data-label="Actions">
          <Actions row={row} />
        </td>
      ) : null}
    </tr>
  )
}
