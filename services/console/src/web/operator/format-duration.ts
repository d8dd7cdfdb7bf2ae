/**
 * A protobuf Duration for a person, only as precise as its size makes useful: "340 ms", "4.2 s",
 * "3 min 20 s", "2 h 5 min", "3 d 4 h".
 */
export function formatDuration(duration: { seconds: bigint; nanos: number }): string {
  const ms = Number(duration.seconds) * 1_000 + Math.round(duration.nanos / 1_000_000);
  if (ms < 1_000) return `${ms} ms`;
  // Tenths rounded down, so 59.96 s never reads as "60 s".
  if (ms < 60_000) return `${Math.floor(ms / 100) / 10} s`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 1_440) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  const hours = Math.floor(minutes / 60);
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
