// CPU time spent by a process, from Linux's /proc: what a job costs in work, which a busy shared
// machine changes far less than it changes wall time.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux the benches run on

/** Milliseconds of CPU (user + system) used so far by `pid`, or with `children`, by its waited-for children; null off Linux. */
export function cpuMs(pid: number | 'self', { children = false } = {}): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces) start at the state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [user, system] = children ? [fields[13], fields[14]] : [fields[11], fields[12]];
  return ((Number(user) + Number(system)) * 1000) / TICKS_PER_SECOND;
}
