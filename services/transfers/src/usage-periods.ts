/** The UTC day and month a moment falls in, as the first date of each (`YYYY-MM-DD`). */
export function usagePeriods(at: Date): { day: string; month: string } {
  const day = at.toISOString().slice(0, 10);
  return { day, month: `${day.slice(0, 7)}-01` };
}
