// Where a benchmark's CPU went, read from Linux's /proc: the machine's busy share, and the CPU
// time of given processes with all their descendants (a server process; PostgreSQL's postmaster
// with its backends), over the same window. Elsewhere (no /proc) it measures nothing and says so.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** CPU time so far: of the machine (busy and all, in clock ticks) and of each named process tree. */
export interface CpuSnapshot {
  machineBusy: number;
  machineTotal: number;
  /** clock ticks (user + system) per process id, every process then alive */
  ticksByPid: Map<number, number>;
  /** of those, the ticks spent in the kernel (system calls: sockets, files) */
  systemTicksByPid: Map<number, number>;
  /** parent of each process id */
  parentByPid: Map<number, number>;
  at: number;
  ownUsage: NodeJS.CpuUsage;
}

/** CPU used over a window, in percent of one core (200 = both cores of a 2-core machine, busy throughout). */
export interface CpuShares {
  cores: number;
  /** the whole machine's busy time, in percent of all its cores */
  machine_busy_pct: number;
  /** this process: the simulated desks */
  desks_pct: number;
  /** each named group of process trees */
  [group: string]: number;
}

export const canMeasureCpu = existsSync('/proc/stat');

export function cpuSnapshot(): CpuSnapshot | null {
  if (!canMeasureCpu) return null;
  const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const ticksByPid = new Map<number, number>();
  const systemTicksByPid = new Map<number, number>();
  const parentByPid = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // the command name may hold spaces and parentheses: the fields start after its last ')'
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    parentByPid.set(Number(entry), Number(rest[1]));
    ticksByPid.set(Number(entry), Number(rest[11]) + Number(rest[12]));
    systemTicksByPid.set(Number(entry), Number(rest[12]));
  }
  return { machineBusy: total - idle, machineTotal: total, ticksByPid, systemTicksByPid, parentByPid, at: performance.now(), ownUsage: process.cpuUsage() };
}

/** The processes of the trees rooted at `roots`, as seen in `snapshot`. */
function treeOf(snapshot: CpuSnapshot, roots: number[]): Set<number> {
  const members = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, parent] of snapshot.parentByPid) {
      if (!members.has(pid) && members.has(parent)) {
        members.add(pid);
        grew = true;
      }
    }
  }
  return members;
}

/**
 * CPU per group between two snapshots, and of it the part spent in the kernel
 * (`<group>_in_kernel_pct`). A process that ended meanwhile is not counted; one that started
 * meanwhile counts from its start.
 */
export function cpuShares(before: CpuSnapshot | null, after: CpuSnapshot | null, groups: Record<string, number[]>): CpuShares | null {
  if (!before || !after) return null;
  const ticksPerSecond = 100; // USER_HZ on Linux
  const seconds = (after.at - before.at) / 1000;
  const pct = (ticks: number) => Math.round((ticks / ticksPerSecond / seconds) * 1000) / 10;
  const shares: CpuShares = {
    cores: cpus().length,
    machine_busy_pct: Math.round(((after.machineBusy - before.machineBusy) / Math.max(1, after.machineTotal - before.machineTotal)) * 1000) / 10,
    desks_pct: Math.round(((after.ownUsage.user - before.ownUsage.user + after.ownUsage.system - before.ownUsage.system) / 1e6 / seconds) * 1000) / 10,
  };
  for (const [group, roots] of Object.entries(groups)) {
    let ticks = 0;
    let systemTicks = 0;
    for (const pid of treeOf(after, roots)) {
      ticks += (after.ticksByPid.get(pid) ?? 0) - (before.ticksByPid.get(pid) ?? 0);
      systemTicks += (after.systemTicksByPid.get(pid) ?? 0) - (before.systemTicksByPid.get(pid) ?? 0);
    }
    shares[group] = pct(ticks);
    shares[`${group.replace(/_pct$/, '')}_in_kernel_pct`] = pct(systemTicks);
  }
  return shares;
}
