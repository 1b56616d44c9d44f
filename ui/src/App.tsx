import { computed, useSignal } from "@preact/signals"
import {
  checkAll,
  checking,
  counts,
  filters,
  hasToken,
  type Link,
  link,
  loaded,
  notice,
  registered,
  role,
  setFilters,
  signIn,
  signOut,
  snapshots
} from "./Api.js"
import { Badge, isAdmin } from "./ConnectionRow.js"
import { AddBar, AddPanel } from "./Forms.js"
import { type Filters, outcomeCounts, spell } from "./Model.js"
import { Table } from "./Table.js"

const byOutcome = computed(() => outcomeCounts(counts.value))

const LINK_TEXT: Record<Link, string> = {
  connecting: "Connecting…",
  live: "Live: updates arrive as they happen",
  reconnecting: "Connection lost: reconnecting…",
  "needs-token": "A token is needed",
  refused: "The token was refused"
}

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

// the first screen of a new install: what syncwatch does, and the two ways to begin
const Empty = () => (
  <section class="empty" aria-labelledby="empty-title">
    <h2 id="empty-title">No connections yet</h2>
    <p>
      syncwatch keeps the sync connections between this site and others, and tells, live, whether each still holds on
      the other side.
    </p>
    {isAdmin.value ? (
      <>
        <ul>
          <li>
            <strong>Watch a site</strong> when another site let you connect and gave you a token.
          </li>
          <li>
            <strong>Let a site connect</strong> to make a token for another site: you give it to that site's admin.
          </li>
        </ul>
        <AddBar />
      </>
    ) : (
      <p>An admin adds connections here; they appear on this page as soon as they are made.</p>
    )}
  </section>
)

const Counts = () => (
  <section aria-labelledby="counts-title">
    <h2 id="counts-title">Outcomes of the last checks</h2>
    <ul class="counts">
      <li>
        <strong>{registered.value}</strong> connections
      </li>
      {byOutcome.value.map(([outcome, count]) => (
        <li key={outcome} data-outcome={outcome}>
          <Badge value={outcome} /> <strong>{count}</strong>
        </li>
      ))}
    </ul>
  </section>
)

// the search is sent once typing pauses
let typing: ReturnType<typeof setTimeout> | undefined
const search = (name: string) => {
  clearTimeout(typing)
  typing = setTimeout(() => setFilters({ name }), 250)
}

const FilterBar = () => {
  const name = useSignal(filters.value.name)
  return (
    <search class="filters" aria-label="Filter connections">
      <span>
        <label for="filter-direction">Direction</label>
        <select
          id="filter-direction"
          value={filters.value.direction}
          onChange={(event) =>
            setFilters({ direction: (event.target as HTMLSelectElement).value as Filters["direction"] })
          }
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
          onChange={(event) => setFilters({ outcome: (event.target as HTMLSelectElement).value as Filters["outcome"] })}
        >
          <option value="">all</option>
          {byOutcome.value.map(([outcome]) => (
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
          title="a part of the name or of the site URL"
          value={name.value}
          onInput={(event) => {
            name.value = (event.target as HTMLInputElement).value
            search(name.value)
          }}
        />
      </span>
    </search>
  )
}

export const App = () => {
  const needsToken = link.value === "needs-token" || link.value === "refused"
  return (
    <>
      <header>
        <h1>syncwatch</h1>
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
            {registered.value === 0 ? <Empty /> : <Counts />}
            <AddPanel />
            {registered.value === 0 ? null : (
              <section aria-labelledby="list-title">
                <h2 id="list-title">Connections</h2>
                <div class="toolbar">
                  <FilterBar />
                  {isAdmin.value ? (
                    <div class="toolbar-actions">
                      <AddBar />
                      <button type="button" onClick={() => void checkAll()} disabled={checking.value.size > 0}>
                        Check all now
                      </button>
                    </div>
                  ) : null}
                </div>
                <Table />
              </section>
            )}
          </>
        ) : null}
      </main>
    </>
  )
}
