/** Quiet hours as a user set them. */
export interface QuietHoursSetting {
  quietEnabled: boolean;
  quietStartMinute: number;
  quietEndMinute: number;
  /** IANA zone; "" is UTC. */
  timeZone: string;
}

/** Minutes after local midnight at `now` in `zone`. */
function localMinute(now: Date, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: zone || "UTC",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(now);
  const value = (type: string) => Number(parts.find((part) => part.type === type)!.value);
  return value("hour") * 60 + value("minute");
}

/**
 * When the quiet hours `now` falls in end, or undefined when it falls in none. A window whose
 * end is before its start runs over midnight (22:00 to 07:00); equal start and end is no window.
 */
export function quietUntil(setting: QuietHoursSetting | undefined, now: Date): Date | undefined {
  if (setting === undefined || !setting.quietEnabled) return undefined;
  const { quietStartMinute: start, quietEndMinute: end } = setting;
  if (start === end) return undefined;
  const minute = localMinute(now, setting.timeZone);
  const inside = start < end ? minute >= start && minute < end : minute >= start || minute < end;
  if (!inside) return undefined;
  const minutesLeft = (end - minute + 1440) % 1440;
  const startOfMinute = now.getTime() - (now.getTime() % 60_000);
  return new Date(startOfMinute + minutesLeft * 60_000);
}
