/**
 * Worker thread of the benchmark's memory sampler (see ./measure.ts).
 *
 * Runs beside the main thread so that its samples keep coming while the main
 * thread is busy in long synchronous work (the engine's evaluation loop):
 * every `intervalMs` it reads the process's resident set size (process-wide,
 * so it includes the main thread, PGlite's WebAssembly memory and DuckDB's
 * buffers) and, when given the PostgreSQL server's postmaster pid, the sum of
 * the resident set sizes of that server's processes (the postmaster and its
 * children, read from /proc). It keeps the peaks and reports them on `stop`.
 */
import { parentPort } from 'node:worker_threads';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

export type SamplerRequest = { cmd: 'start'; intervalMs: number; pgPid: number | null } | { cmd: 'stop' };
export interface SamplerReport {
  peakRss: number;
  /** Bytes, or null when no PostgreSQL server is sampled. */
  peakPgRss: number | null;
  samples: number;
}

const PAGE = 4096;
const RESCAN_MS = 250;

/**
 * The fields of /proc/PID/stat after the command name ("pid (comm) state ppid …": comm may contain
 * spaces and parentheses, so read after the last ')'): [0] state, [1] ppid, [11] utime, [12] stime,
 * [13] cutime, [14] cstime. Null when the process is gone.
 */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The parent pid of a process, from /proc/PID/stat (null when it is gone). */
export function parentPid(pid: number): number | null {
  const f = statFields(pid);
  return f === null ? null : Number(f[1]);
}

/** The running children of a process (a scan of /proc). */
function childPids(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    if (pid !== parent && parentPid(pid) === parent) out.push(pid);
  }
  return out;
}

/** Clock ticks per second of /proc/PID/stat's times (USER_HZ: 100 on Linux). */
let ticksPerSecond: number | null = null;
function userHz(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'latin1' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** utime + stime of a process, and with `children` the times of its children that ended (ticks). */
function cpuTicks(pid: number, children: boolean): number {
  const f = statFields(pid);
  if (f === null) return 0;
  return Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
}

/**
 * CPU seconds used so far by a PostgreSQL server: the postmaster, its running processes
 * (backends, parallel workers, checkpointer, WAL writer, autovacuum), and those that ended (a
 * parent counts the times of the children it has reaped). The difference of two readings is
 * the server's CPU in between.
 */
export function serverCpuSeconds(postmaster: number): number {
  let ticks = cpuTicks(postmaster, true);
  for (const pid of childPids(postmaster)) ticks += cpuTicks(pid, false);
  return ticks / userHz();
}

function residentBytes(pid: number): number {
  try {
    const statm = readFileSync(`/proc/${pid}/statm`, 'latin1');
    return Number(statm.split(' ')[1]) * PAGE;
  } catch {
    return 0; // the process ended between the scan and the read
  }
}

class PgServer {
  private pids: number[] = [];
  private scannedAt = 0;
  constructor(private readonly postmaster: number) {}

  private rescan(): void {
    this.pids = [this.postmaster, ...childPids(this.postmaster)];
    this.scannedAt = Date.now();
  }

  rss(): number {
    // Backends come and go with connections: look for them again every RESCAN_MS.
    if (Date.now() - this.scannedAt >= RESCAN_MS) this.rescan();
    let sum = 0;
    for (const pid of this.pids) sum += residentBytes(pid);
    return sum;
  }
}

if (parentPort) {
  const port = parentPort;
  let timer: NodeJS.Timeout | null = null;
  let peakRss = 0;
  let peakPgRss: number | null = null;
  let samples = 0;
  let server: PgServer | null = null;

  const sample = () => {
    samples++;
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
    if (server) {
      const pg = server.rss();
      if (peakPgRss === null || pg > peakPgRss) peakPgRss = pg;
    }
  };

  port.on('message', (msg: SamplerRequest) => {
    if (msg.cmd === 'start') {
      if (timer) clearInterval(timer);
      peakRss = 0;
      peakPgRss = null;
      samples = 0;
      server = msg.pgPid ? new PgServer(msg.pgPid) : null;
      sample();
      timer = setInterval(sample, msg.intervalMs);
    } else {
      if (timer) clearInterval(timer);
      timer = null;
      sample();
      const report: SamplerReport = { peakRss, peakPgRss, samples };
      port.postMessage(report);
    }
  });
}
