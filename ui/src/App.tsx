import { computed, signal, useSignal } from "@preact/signals"
import { useEffect, useRef } from "preact/hooks"
import {
  checkAll,
  checking,
  checkOne,
  hasToken,
  type Link,
  link,
  loaded,
  notice,
  role,
  rows,
  setStatus,
  signIn,
  signOut,
  snapshots
} from "./Api.js"
import { ago, counts, type Filters, NOT_CHECKED, outcomeOf, type Row, spell, tone, visible } from "./Model.js"
import { Timeline } from "./Timeline.js"
import { Uptime } from "./Uptime.js"

const now = signal(Date.now())
setInterval(() => {
  now.value = Date.now()
}, 1000)

const filters = signal<Filters>({ direction: "", outcome: "", name: "" })
const all = computed(() => [...rows.value.values()].sort((a, b) => a.name.localeCompare(b.name)))
const shown = computed(() => visible(all.value, filters.value))
const isAdmin = computed(() => role.value === "ADMIN")
// the row waiting for the user to confirm a status change
const confirming = signal<{ readonly uuid: string; readonly status: "ACTIVE" | "SUSPENDED" } | null>(null)

const LINK_TEXT: Record<Link, string> = {
  connecting: "Connecting…",
  live: "Live: updates arrive as they happen",
  reconnecting: "Connection lost: reconnecting…",
  "needs-token": "A token is needed",
  refused: "The token was refused"
}

const Badge = ({ value }: { value: string }) => <span class={`badge tone-${tone(value)}`}>{spell(value)}</span>

const LinkState = () => (
  <p class={`link link-${link.value}`} role="status" data-link={link.value}>
    {LINK_TEXT[link.value]}
  </p>
)

const TokenForm = () => {
  const value = useSignal("")
  return (
    <form
      class="token"
      onSubmit={(event) => {
        event.preventDefault()
        if (value.value.trim() !== "") signIn(value.value.trim())
      }}
    >
      <p>
        {link.value === "refused"
          ? "The server refused that token. Enter the admin or viewer token again."
          : "This syncwatch needs a token (ADMIN_TOKEN, or VIEWER_TOKEN for a read-only view). It is kept for this browser tab only."}
      </p>
      <label>
        Token{" "}
        <input
          type="password"
          autocomplete="off"
          required
          value={value.value}
          onInput={(event) => {
            value.value = (event.target as HTMLInputElement).value
          }}
        />
      </label>{" "}
      <button type="submit">Sign in</button>
    </form>
  )
}

const Counts = () => (
  <section aria-labelledby="counts-title">
    <h2 id="counts-title">Outcomes of the last checks</h2>
    <ul class="counts">
      <li>
        <strong>{all.value.length}</strong> connections
      </li>
      {counts(all.value).map(([outcome, count]) => (
        <li key={outcome} data-outcome={outcome}>
          <Badge value={outcome} /> <strong>{count}</strong>
        </li>
      ))}
    </ul>
  </section>
)

const set = (change: Partial<Filters>) => {
  filters.value = { ...filters.value, ...change }
}

const FilterBar = () => {
  const outcomes = [...new Set(all.value.map(outcomeOf))].sort()
  return (
    <search class="filters" aria-label="Filter connections">
      <span>
        <label for="filter-direction">Direction</label>
        <select
          id="filter-direction"
          value={filters.value.direction}
          onChange={(event) => set({ direction: (event.target as HTMLSelectElement).value as Filters["direction"] })}
        >
          <option value="">all</option>
          <option value="RECEIVER">receivers</option>
          <option value="SENDER">senders</option>
        </select>
      </span>
      <span>
        <label for="filter-outcome">Outcome</label>
        <select
          id="filter-outcome"
          value={filters.value.outcome}
          onChange={(event) => set({ outcome: (event.target as HTMLSelectElement).value })}
        >
          <option value="">all</option>
          {outcomes.map((outcome) => (
            <option key={outcome} value={outcome}>
              {spell(outcome)}
            </option>
          ))}
        </select>
      </span>
      <span>
        <label for="filter-name">Name</label>
        <input
          id="filter-name"
          type="search"
          value={filters.value.name}
          onInput={(event) => set({ name: (event.target as HTMLInputElement).value })}
        />
      </span>
    </search>
  )
}

const Confirm = ({ row, status }: { row: Row; status: "ACTIVE" | "SUSPENDED" }) => {
  const button = useRef<HTMLButtonElement>(null)
  useEffect(() => button.current?.focus(), [])
  const verb = status === "SUSPENDED" ? "Suspend" : "Activate"
  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: Escape cancels; the buttons inside are the controls
    <span
      class="confirm"
      onKeyDown={(event) => {
        if (event.key === "Escape") confirming.value = null
      }}
    >
      {verb} {row.name}?{" "}
      <button
        type="button"
        ref={button}
        onClick={() => {
          confirming.value = null
          void setStatus(row, status)
        }}
      >
        Yes, {verb.toLowerCase()}
      </button>{" "}
      <button type="button" onClick={() => (confirming.value = null)}>
        Cancel
      </button>
    </span>
  )
}

const Actions = ({ row }: { row: Row }) => {
  const pending = confirming.value
  if (pending?.uuid === row.uuid) return <Confirm row={row} status={pending.status} />
  const target = row.status === "ACTIVE" ? "SUSPENDED" : "ACTIVE"
  const busy = checking.value.has(row.uuid)
  return (
    <span class="actions">
      <button type="button" disabled={busy} onClick={() => void checkOne(row)} aria-label={`Check ${row.name} now`}>
        Check now
      </button>{" "}
      <button
        type="button"
        onClick={() => (confirming.value = { uuid: row.uuid, status: target })}
        aria-label={`${target === "SUSPENDED" ? "Suspend" : "Activate"} ${row.name}…`}
      >
        {target === "SUSPENDED" ? "Suspend…" : "Activate…"}
      </button>
    </span>
  )
}

const ConnectionRow = ({ row }: { row: Row }) => {
  const outcome = outcomeOf(row)
  return (
    <tr data-uuid={row.uuid} data-outcome={outcome}>
      <th scope="row">{row.name}</th>
      <td>{row.direction === "RECEIVER" ? "receiver" : "sender"}</td>
      <td class="site">{row.siteUrl}</td>
      <td data-column="status">
        <Badge value={row.status} />
        {row.suspendedReason !== null && row.status === "SUSPENDED" ? (
          <span class="why"> ({row.suspendedReason})</span>
        ) : null}
      </td>
      <td data-column="outcome">
        {checking.value.has(row.uuid) ? <span class="checking">checking… </span> : null}
        {outcome === NOT_CHECKED ? <span class="badge tone-none">not checked yet</span> : <Badge value={outcome} />}
      </td>
      <td data-column="reason">{row.last?.reason ?? "–"}</td>
      <td data-column="checked">
        {row.last === null ? "–" : <time dateTime={row.last.checkedAt}>{ago(row.last.checkedAt, now.value)}</time>}
      </td>
      <td data-column="duration">{row.last?.durationMs == null ? "–" : `${Math.round(row.last.durationMs)} ms`}</td>
      <td>
        <Timeline history={row.history} now={now.value} name={row.name} />
      </td>
      <td data-column="uptime">
        <Uptime uuid={row.uuid} name={row.name} />
      </td>
      {isAdmin.value ? (
        <td>
          <Actions row={row} />
        </td>
      ) : null}
    </tr>
  )
}

const Table = () => (
  <table>
    <caption>
      Connections: {shown.value.length} shown of {all.value.length}
    </caption>
    <thead>
      <tr>
        <th scope="col">Name</th>
        <th scope="col">Direction</th>
        <th scope="col">Site</th>
        <th scope="col">Local status</th>
        <th scope="col">Last check</th>
        <th scope="col">Reason</th>
        <th scope="col">Checked</th>
        <th scope="col">Duration</th>
        <th scope="col">Last 24 h</th>
        <th scope="col">Uptime</th>
        {isAdmin.value ? <th scope="col">Actions</th> : null}
      </tr>
    </thead>
    <tbody>
      {shown.value.map((row) => (
        <ConnectionRow key={row.uuid} row={row} />
      ))}
    </tbody>
  </table>
)

export const App = () => {
  const needsToken = link.value === "needs-token" || link.value === "refused"
  return (
    <>
      <header>
        <h1>syncwatch status</h1>
        <LinkState />
        {role.value !== null ? (
          <p class="role" data-role={role.value}>
            Signed in as {role.value === "ADMIN" ? "admin" : "viewer (read only)"}
          </p>
        ) : null}
        {hasToken.value ? (
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        ) : null}
      </header>
      <main data-snapshots={snapshots.value}>
        {needsToken ? <TokenForm /> : null}
        {notice.value !== null ? (
          <p class={`notice notice-${notice.value.kind}`} role={notice.value.kind === "error" ? "alert" : "status"}>
            {notice.value.text}
          </p>
        ) : null}
        {loaded.value && !needsToken ? (
          <>
            <Counts />
            <section aria-labelledby="list-title">
              <h2 id="list-title">Connections</h2>
              <div class="toolbar">
                <FilterBar />
                {isAdmin.value ? (
                  <button type="button" onClick={() => void checkAll()} disabled={checking.value.size > 0}>
                    Check all now
                  </button>
                ) : null}
              </div>
              <Table />
            </section>
          </>
        ) : null}
      </main>
    </>
  )
}
