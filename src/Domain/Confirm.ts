// CONFIRM_AFTER: an outcome other than the one last recorded becomes a change once it is seen that many
// checks in a row; one check back at the recorded outcome starts the count again (a flap is never recorded)
export interface Candidate {
  readonly outcome: string
  readonly seen: number
}

// the candidate after one more check whose outcome differs from the recorded one
export const seenAgain = (candidate: Candidate | undefined, outcome: string): Candidate =>
  candidate !== undefined && candidate.outcome === outcome
    ? { outcome, seen: candidate.seen + 1 }
    : { outcome, seen: 1 }
