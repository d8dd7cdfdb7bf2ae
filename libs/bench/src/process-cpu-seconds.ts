import { readdirSync, readFileSync } from "node:fs";

/**
 * Clock ticks per second of /proc's time fields. Linux fixes USER_HZ at 100 for user space
 * whatever the kernel's own tick rate, so reading it needs no getconf.
 */
const TICKS_PER_SECOND = 100;

/**
 * CPU time of one process and of its children that have exited and been reaped, from
 * /proc/<pid>/stat (utime + stime + cutime + cstime). Counting reaped children matters for
 * Postgres, whose backends are child processes of the postmaster. Undefined when the process
 * is gone or /proc is not there.
 */
function processCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses, so fields count from the last ')'.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return (utime! + stime! + cutime! + cstime!) / TICKS_PER_SECOND;
}

/** The pids whose command name (/proc/<pid>/comm) is `command`, e.g. every `postgres` process. */
function pidsOf(command: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() === command) pids.push(Number(entry));
    } catch {
      // exited between the listing and the read
    }
  }
  return pids;
}

/**
 * CPU time of every process named `command`. Summing over all of them at each sample (rather
 * than remembering pids) keeps a backend that starts or ends between samples counted: while it
 * lives it is read directly, once reaped its time is in the postmaster's cutime/cstime.
 */
export function commandCpuSeconds(command: string): number {
  return pidsOf(command).reduce((sum, pid) => sum + (processCpuSeconds(pid) ?? 0), 0);
}
