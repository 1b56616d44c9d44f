import { signal } from "@preact/signals"
import { type Details, details } from "./Api.js"

// A connection's uptime over 24 h and 30 d, its last 90 days as a bar (hover a day for its figures), and a
// badge while a maintenance window covers it. Read with the rows on screen (Api.detailsOf), again each minute
// and on reconnecting.

type Day = Details["daily"][number]

const DAY_WIDTH = 3
const HEIGHT = 14

const percent = (share: number | null) => (share === null ? "–" : `${(share * 100).toFixed(share === 1 ? 0 : 2)}%`)
const toneOf = (day: Day) =>
  day.uptime === null ? "none" : day.uptime >= 0.999 ? "good" : day.uptime >= 0.95 ? "warn" : "bad"
const describe = (day: Day) =>
  day.uptime === null && day.maintenance === 0
    ? `${day.date}: no checks`
    : `${day.date}: ${percent(day.uptime)} up, ${day.healthy} of ${day.checks} checks healthy` +
      (day.maintenance > 0 ? `, ${day.maintenance} under maintenance` : "") +
      (day.p95Ms === null ? "" : `, p50 ${day.p50Ms} ms, p95 ${day.p95Ms} ms`)

const hovered = signal<{ readonly uuid: string; readonly text: string } | null>(null)

export const Uptime = ({ uuid, name }: { uuid: string; name: string }) => {
  const mine = details.value.get(uuid)
  if (mine === undefined) return <span class="uptime">–</span>
  const shown = hovered.value?.uuid === uuid ? hovered.value.text : null
  // one handler for the bar: the day under the pointer says its figures beside it
  const show = (event: Event) => {
    const date = (event.target as Element).getAttribute("data-date")
    const day = mine.daily.find((d) => d.date === date)
    if (day !== undefined) hovered.value = { uuid, text: describe(day) }
  }
  return (
    <div class="uptime" data-uptime={uuid}>
      {mine.maintenance === null ? null : (
        <span
          class="badge tone-warn"
          data-maintenance
          title={`until ${mine.maintenance.endsAt}${mine.maintenance.reason === null ? "" : `: ${mine.maintenance.reason}`}`}
        >
          maintenance
        </span>
      )}{" "}
      <span class="figures" style={{ whiteSpace: "nowrap" }}>
        24 h <strong data-window="day">{percent(mine.day)}</strong> · 30 d{" "}
        <strong data-window="month">{percent(mine.month)}</strong>
      </span>
      <svg
        viewBox={`0 0 ${mine.daily.length * DAY_WIDTH} ${HEIGHT}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`${name}, last ${mine.daily.length} days`}
        onMouseLeave={() => (hovered.value = null)}
        onMouseOver={show}
        onFocus={show}
      >
        {mine.daily.map((day, i) => (
          <rect
            key={day.date}
            data-date={day.date}
            x={i * DAY_WIDTH}
            y={0}
            width={DAY_WIDTH - 1}
            height={HEIGHT}
            class={`span tone-${toneOf(day)}`}
          >
            <title>{describe(day)}</title>
          </rect>
        ))}
      </svg>
      <span class="uptime-day" data-hovered aria-live="polite">
        {shown ?? `${mine.daily.length} days`}
      </span>
    </div>
  )
}
