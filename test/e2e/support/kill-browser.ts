import { readdirSync, readFileSync } from 'node:fs';

/**
 * A crash, not a close: SIGKILL to the Chromium that runs on `userDataDir`, and to its whole
 * process group (playwright-core starts the browser detached, so it leads its own group with the
 * renderers, the GPU and utility processes under it). No unload handler, no IndexedDB shutdown,
 * nothing flushed on the way out. Linux only: the processes are found through /proc.
 */

interface Proc {
  pid: number;
  pgid: number;
  /** Z: a zombie, dead and waiting for its parent (playwright-core's launcher) to reap it. */
  state: string;
  args: string[];
}

function processes(): Proc[] {
  const out: Proc[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean);
      // Field 5 of stat is the process group; the command name (field 2) may hold spaces.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(name), state: fields[0] ?? '', pgid: Number(fields[2]), args });
    } catch {
      // Gone between readdir and read.
    }
  }
  return out;
}

/** Processes of the browser on this profile (the browser itself, and children that name the profile). */
export function browserProcesses(userDataDir: string): Proc[] {
  const flag = `--user-data-dir=${userDataDir}`;
  const all = processes();
  const main = all.find((p) => p.args.includes(flag) && !p.args.some((a) => a.startsWith('--type=')));
  return all.filter((p) => p.args.includes(flag) || (main && p.pgid === main.pid));
}

/**
 * Kills the browser on `userDataDir` with SIGKILL and waits until none of its processes is left.
 * Returns the moment of the kill (epoch ms).
 */
export async function killBrowser(userDataDir: string, timeoutMs = 20_000): Promise<number> {
  const flag = `--user-data-dir=${userDataDir}`;
  const main = processes().find((p) => p.args.includes(flag) && !p.args.some((a) => a.startsWith('--type=')));
  if (!main) throw new Error(`no browser process runs on ${userDataDir}`);
  if (main.pgid !== main.pid) throw new Error(`the browser (pid ${main.pid}) does not lead its process group (${main.pgid})`);
  const at = Date.now();
  process.kill(-main.pid, 'SIGKILL');
  // A child that left the group (none should) still names the profile: kill it by its pid.
  for (const p of browserProcesses(userDataDir)) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  const end = Date.now() + timeoutMs;
  for (;;) {
    const left = browserProcesses(userDataDir).filter((p) => p.state !== 'Z');
    if (!left.length) return at;
    if (Date.now() > end) throw new Error(`browser processes still alive after SIGKILL: ${left.map((p) => p.pid).join(', ')}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
