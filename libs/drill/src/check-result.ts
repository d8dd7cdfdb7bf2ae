/** One invariant checked after a drill. */
export interface CheckResult {
  check: string;
  ok: boolean;
  /** What was found wrong (the first few), or what was verified when nothing was. */
  detail: string[];
}

/** At most this many problems per check are listed: the first ones are enough to act on. */
const SHOWN = 10;

/** A check's result from the problems it found and, when none, a line saying what it verified. */
export function checkResult(check: string, problems: string[], verified: string): CheckResult {
  return {
    check,
    ok: problems.length === 0,
    detail:
      problems.length === 0
        ? [verified]
        : [...problems.slice(0, SHOWN), ...(problems.length > SHOWN ? [`… ${problems.length - SHOWN} more`] : [])],
  };
}
