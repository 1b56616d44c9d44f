import { type Change, DAY, type Segment, segments, spell, tone } from "./Model.js"

const WIDTH = 240
const HEIGHT = 14

const clock = (at: number) => new Date(at).toISOString().slice(11, 16)

const label = (segment: Segment) =>
  `${segment.outcome === null ? "unknown" : spell(segment.outcome)} from ${clock(segment.from)} to ${clock(segment.to)} UTC`

// the last 24 h of one connection, oldest on the left; each span also says its outcome (title, and the
// summary beside it for screen readers)
export const Timeline = ({ history, now, name }: { history: ReadonlyArray<Change>; now: number; name: string }) => {
  const spans = segments(history, now)
  const changes = history.filter((change) => Date.parse(change.at) > now - DAY).length
  const summary = `${changes} change${changes === 1 ? "" : "s"} in 24 h`
  return (
    <div class="timeline">
      <svg
        class="bar"
        preserveAspectRatio="none"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${name}, last 24 h: ${spans.map(label).join("; ")}`}
      >
        {spans.map((span) => {
          const x = Math.min(WIDTH - 3, ((span.from - (now - DAY)) / DAY) * WIDTH)
          const width = Math.max(3, ((span.to - span.from) / DAY) * WIDTH)
          return (
            <rect key={span.from} x={x} y={0} width={width} height={HEIGHT} class={`span tone-${tone(span.outcome)}`}>
              <title>{label(span)}</title>
            </rect>
          )
        })}
      </svg>
      <span class="summary">{summary}</span>
    </div>
  )
}
