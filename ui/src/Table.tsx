import { computed, signal } from "@preact/signals"
import { useEffect, useLayoutEffect, useRef } from "preact/hooks"
import { detailsOf, listing, registered, rows, show } from "./Api.js"
import { ConnectionRow, isAdmin } from "./ConnectionRow.js"

// The connections table, virtualised: only the rows on screen (and a few around them) are in the DOM; a spacer
// above and one below stand for the others, at the height rows are measured to have. Scrolling to rows not
// read yet reads the pages up to them (Api.show).

// rows drawn beyond the screen, above and below
const AROUND = 8
// a first guess of a row's height (px), until rows are measured: a table row on a wide screen
const GUESS = 64

const rowHeight = signal(GUESS)
// the row indexes on screen, the first and one past the last
const range = signal({ start: 0, end: 40 })
const columns = computed(() => (isAdmin.value ? 8 : 7))

const Spacer = ({ height }: { height: number }) =>
  height <= 0 ? null : (
    <tr class="spacer" style={{ height: `${height}px` }}>
      <td colSpan={columns.value} aria-hidden="true" />
    </tr>
  )

export const Table = () => {
  const body = useRef<HTMLTableSectionElement>(null)
  const list = listing.value
  const known = rows.value
  const { start, end } = range.value
  const height = rowHeight.value
  // the rows drawn: those on screen that were read
  const first = Math.min(start, list.order.length)
  const last = Math.min(end, list.order.length)
  const drawn = list.order.slice(first, last)

  useEffect(() => {
    const place = () => {
      const top = body.current?.getBoundingClientRect().top ?? 0
      const each = rowHeight.peek()
      const total = listing.peek().total
      const start = Math.max(0, Math.min(total, Math.floor(-top / each) - AROUND))
      const end = Math.max(start, Math.min(total, Math.ceil((window.innerHeight - top) / each) + AROUND))
      const now = range.peek()
      if (now.start !== start || now.end !== end) range.value = { start, end }
      show(end)
    }
    place()
    addEventListener("scroll", place, { passive: true })
    addEventListener("resize", place)
    // a new listing (a filter, a reconnection, a page read) may change what is on screen
    const stop = listing.subscribe(place)
    return () => {
      removeEventListener("scroll", place)
      removeEventListener("resize", place)
      stop()
    }
  }, [])

  // the rows drawn are measured (margins between cards included): the spacers follow
  useLayoutEffect(() => {
    const drawnRows = body.current?.querySelectorAll<HTMLTableRowElement>("tr[data-uuid]")
    if (drawnRows === undefined || drawnRows.length < 2) return
    const top = drawnRows[0]!.getBoundingClientRect().top
    const bottom = drawnRows[drawnRows.length - 1]!.getBoundingClientRect().top
    const measured = (bottom - top) / (drawnRows.length - 1)
    if (measured > 0 && Math.abs(measured - rowHeight.peek()) > 1) rowHeight.value = measured
  })

  // the figures and changes of the rows on screen, once they stay there a moment
  const key = drawn.join(",")
  useEffect(() => {
    const timer = setTimeout(() => void detailsOf(drawn), 150)
    return () => clearTimeout(timer)
  }, [key])

  return (
    <table aria-busy={last < Math.min(end, list.total)}>
      <caption>
        Connections: {list.total} shown of {registered.value}
        {last < Math.min(end, list.total) ? <span class="reading"> (reading rows…)</span> : null}
      </caption>
      <thead>
        <tr>
          <th scope="col">Connection</th>
          <th scope="col">Local status</th>
          <th scope="col">Last check</th>
          <th scope="col">Reason</th>
          <th scope="col">Checked</th>
          <th scope="col">Last 24 h</th>
          <th scope="col">Uptime</th>
          {isAdmin.value ? <th scope="col">Actions</th> : null}
        </tr>
      </thead>
      <tbody ref={body}>
        <Spacer height={first * height} />
        {drawn.map((uuid) => {
          const row = known.get(uuid)
          return row === undefined ? null : <ConnectionRow key={uuid} row={row} />
        })}
        <Spacer height={(list.total - last) * height} />
      </tbody>
    </table>
  )
}
