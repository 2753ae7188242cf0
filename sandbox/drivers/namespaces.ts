/**
 * Handles on a bwrap lab's namespaces and root directory, opened once at start while its init is
 * known to be the lab's own. Terminals and commands enter through these, never through the init's
 * pid: once the init dies the kernel may give that pid to any process, another lab's included.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';

/** nsenter's option for each namespace, and its file under /proc/<pid>/ns. */
const NAMESPACES = { user: 'user', mount: 'mnt', net: 'net', pid: 'pid', ipc: 'ipc', uts: 'uts', cgroup: 'cgroup' } as const;

export class NamespaceHandles {
  /** nsenter option (and `root`) → this process's descriptor. */
  private readonly fds: Map<string, number>;

  private constructor(fds: Map<string, number>) {
    this.fds = fds;
  }

  /**
   * Opens the namespaces and root of `initPid`, then checks it is still bwrap's child (`isBwrap`
   * says bwrap, `bwrapPid`, has not exited): a pid is only reused once its parent has reaped it.
   */
  static open(initPid: number, bwrapPid: number, isBwrap: () => boolean): NamespaceHandles {
    const fds = new Map<string, number>();
    const handles = new NamespaceHandles(fds);
    try {
      for (const [option, file] of Object.entries(NAMESPACES)) fds.set(option, openSync(`/proc/${initPid}/ns/${file}`, 'r'));
      fds.set('root', openSync(`/proc/${initPid}/root`, 'r'));
      if (parentOf(initPid) !== bwrapPid || !isBwrap()) throw new Error('gone');
    } catch {
      handles.close();
      throw new Error(`the lab's init (pid ${initPid}) exited while the lab started`);
    }
    return handles;
  }

  /**
   * nsenter's options to enter them all. The paths are this server's own descriptors, which nsenter
   * (root, a child of this process) opens through /proc; the descriptors themselves are close-on-exec,
   * so no lab process inherits another lab's handles.
   */
  nsenterOptions(): string[] {
    return [...this.fds].map(([option, fd]) => `--${option}=/proc/${process.pid}/fd/${fd}`);
  }

  /** nsenter's option to enter one of them, e.g. `--net=/proc/<server>/fd/<n>`. */
  nsenterOption(option: keyof typeof NAMESPACES): string {
    return `--${option}=/proc/${process.pid}/fd/${this.fds.get(option)}`;
  }

  /** How /proc/<pid>/ns/<file> names it, e.g. "pid:[4026532301]": the namespace's identity. */
  identity(option: keyof typeof NAMESPACES): string {
    return `${NAMESPACES[option]}:[${fstatSync(this.fds.get(option)!).ino}]`;
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }
}

/** The parent pid of `pid`, from /proc/<pid>/stat (the field after the command name, which may hold spaces). */
function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}
