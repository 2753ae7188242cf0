/**
 * The seccomp filter of a bwrap lab: a classic-BPF program, built here from a readable deny list,
 * that bwrap installs on the lab's init (--seccomp) and seccomp-exec.c on every shell and command
 * the driver enters into the lab. Docker labs get Docker's default profile instead, which this
 * follows: the learner keeps every ordinary system call (sockets, processes, files, ptrace for
 * strace), and loses the ones that reach the kernel's least-guarded code or the host itself.
 *
 * A refused call fails with EPERM, so a program says "Operation not permitted" instead of dying.
 * A call of another architecture or of the x32 ABI kills the process: this deny list is written in
 * x86_64 (or aarch64) numbers, which mean other calls there.
 */
import { endianness } from 'node:os';

/** System call numbers on the architectures the driver runs on (`process.arch`); null: none there. */
const SYSCALLS = {
  // name: [x64, arm64]
  unshare: [272, 97],
  clone: [56, 220],
  clone3: [435, 435],
  setns: [308, 268],
  mount: [165, 40],
  umount2: [166, 39],
  pivot_root: [155, 41],
  move_mount: [429, 429],
  open_tree: [428, 428],
  open_tree_attr: [467, 467],
  fsopen: [430, 430],
  fsconfig: [431, 431],
  fsmount: [432, 432],
  fspick: [433, 433],
  mount_setattr: [442, 442],
  keyctl: [250, 219],
  add_key: [248, 217],
  request_key: [249, 218],
  bpf: [321, 280],
  perf_event_open: [298, 241],
  userfaultfd: [323, 282],
  io_uring_setup: [425, 425],
  io_uring_enter: [426, 426],
  io_uring_register: [427, 427],
  kexec_load: [246, 104],
  kexec_file_load: [320, 294],
  init_module: [175, 105],
  finit_module: [313, 273],
  delete_module: [176, 106],
  reboot: [169, 142],
  acct: [163, 89],
  swapon: [167, 224],
  swapoff: [168, 225],
  syslog: [103, 116],
  quotactl: [179, 60],
  quotactl_fd: [443, 443],
  open_by_handle_at: [304, 265],
  lookup_dcookie: [212, 18],
  fanotify_init: [300, 262],
  iopl: [172, null],
  ioperm: [173, null],
  ioctl: [16, 29],
} as const satisfies Record<string, readonly [number, number | null]>;

export type Syscall = keyof typeof SYSCALLS;

const EPERM = 1;
const ENOSYS = 38;

/** Every CLONE_NEW* flag (a new namespace of some kind). */
const CLONE_NEW_ANY = 0x7e020080;
/** The same for clone(), where the low byte is the exit signal (CLONE_NEWTIME only works through unshare or clone3). */
const CLONE_NEW_ANY_BUT_TIME = 0x7e020000;
const TIOCSTI = 0x5412;
const TIOCLINUX = 0x541c;

export interface DenyRule {
  syscall: Syscall;
  /** Only when this argument has one of these bits set (`anyBit`) or is one of these values (`oneOf`); else always. */
  when?: { arg: number; anyBit: number } | { arg: number; oneOf: number[] };
  /** The error the call fails with (default EPERM). */
  errno?: number;
}

const always = (...names: Syscall[]): DenyRule[] => names.map((syscall) => ({ syscall }));

/**
 * What a lab may not do. Not denied: ptrace (strace is a lesson tool). The pid namespace lets a lab
 * trace only its own processes, which all run as the learner under this same filter (a traced
 * process cannot be made to make a refused call: seccomp checks the call again after the tracer
 * changed it); a process the driver enters is not traceable before its filter is in place, as
 * seccomp-exec is not readable by the learner, which makes the kernel mark it undumpable.
 */
export const DENIED: DenyRule[] = [
  // New namespaces: root inside a new user namespace reaches the kernel's whole namespaced-root
  // surface (mounts, netfilter, ...); with `unshare -Urnm` any learner had it. bwrap's
  // --disable-userns stops new user namespaces too; this also refuses the rest.
  { syscall: 'unshare', when: { arg: 0, anyBit: CLONE_NEW_ANY } },
  { syscall: 'clone', when: { arg: 0, anyBit: CLONE_NEW_ANY_BUT_TIME } },
  // clone3's flags are in memory, where seccomp cannot look: ENOSYS makes libc fall back to clone.
  { syscall: 'clone3', errno: ENOSYS },
  ...always('setns'),
  // Mounts, old and new API.
  ...always('mount', 'umount2', 'pivot_root', 'move_mount', 'open_tree', 'open_tree_attr', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr'),
  // Kernel keyrings are not namespaced.
  ...always('keyctl', 'add_key', 'request_key'),
  // Interfaces with a long history of kernel exploits, and no use in a socket lesson.
  ...always('bpf', 'perf_event_open', 'userfaultfd', 'io_uring_setup', 'io_uring_enter', 'io_uring_register'),
  // The host's kernel and machine.
  ...always('kexec_load', 'kexec_file_load', 'init_module', 'finit_module', 'delete_module', 'reboot', 'acct', 'swapon', 'swapoff', 'syslog'),
  ...always('quotactl', 'quotactl_fd', 'open_by_handle_at', 'lookup_dcookie', 'fanotify_init', 'iopl', 'ioperm'),
  // Typing into a terminal (TIOCSTI), or into the host's console (TIOCLINUX).
  { syscall: 'ioctl', when: { arg: 1, oneOf: [TIOCSTI, TIOCLINUX] } },
];

/** Audit architecture of each supported `process.arch`, as the kernel reports it to the filter. */
const AUDIT_ARCH = { x64: 0xc000003e, arm64: 0xc00000b7 } as const;
type Arch = keyof typeof AUDIT_ARCH;
/** x32 ABI calls arrive as x86_64 with this bit set in the number. */
const X32_SYSCALL_BIT = 0x40000000;

// Classic BPF opcodes (linux/filter.h) and seccomp's return values (linux/seccomp.h).
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;
const RET_KILL_PROCESS = 0x80000000;
const RET_ERRNO = 0x00050000;
const RET_ALLOW = 0x7fff0000;
// struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6].
const NR = 0;
const ARCH = 4;
const argLow32 = (i: number) => 16 + 8 * i + (endianness() === 'LE' ? 0 : 4);

type Instruction = [code: number, jt: number, jf: number, k: number];

/** The number of `name` on `arch`, or null when that architecture has no such call. */
export function syscallNumber(name: Syscall, arch: string = process.arch): number | null {
  if (arch !== 'x64' && arch !== 'arm64') throw unsupported(arch);
  return SYSCALLS[name][arch === 'x64' ? 0 : 1];
}

/**
 * The filter for `arch` (default: this machine's), as the bytes of a `struct sock_filter` array.
 * Arguments are compared on their low 32 bits, all the kernel reads of clone's and unshare's flags
 * (unshare refuses higher bits) and of ioctl's request (an unsigned int).
 */
export function labSeccompFilter(arch: string = process.arch): Buffer {
  if (!(arch in AUDIT_ARCH)) throw unsupported(arch);
  const program: Instruction[] = [
    [LD_W_ABS, 0, 0, ARCH],
    [JEQ_K, 1, 0, AUDIT_ARCH[arch as Arch]],
    [RET_K, 0, 0, RET_KILL_PROCESS],
    [LD_W_ABS, 0, 0, NR],
  ];
  if (arch === 'x64') program.push([JGE_K, 0, 1, X32_SYSCALL_BIT], [RET_K, 0, 0, RET_KILL_PROCESS]);
  for (const rule of DENIED) {
    const nr = syscallNumber(rule.syscall, arch);
    if (nr === null) continue;
    const deny: Instruction = [RET_K, 0, 0, RET_ERRNO | (rule.errno ?? EPERM)];
    if (!rule.when) {
      program.push([JEQ_K, 0, 1, nr], deny);
      continue;
    }
    // Load the argument, jump to `deny` on a match, else reload the number for the next rule.
    const tests: Instruction[] =
      'anyBit' in rule.when
        ? [[JSET_K, 0, 1, rule.when.anyBit]]
        : rule.when.oneOf.map((value, i, all) => (i < all.length - 1 ? [JEQ_K, all.length - 1 - i, 0, value] : [JEQ_K, 0, 1, value]));
    program.push([JEQ_K, 0, tests.length + 2, nr], [LD_W_ABS, 0, 0, argLow32(rule.when.arg)], ...tests, deny, [LD_W_ABS, 0, 0, NR]);
  }
  program.push([RET_K, 0, 0, RET_ALLOW]);
  const bytes = Buffer.alloc(program.length * 8);
  program.forEach(([code, jt, jf, k], i) => {
    const at = i * 8;
    if (endianness() === 'LE') {
      bytes.writeUInt16LE(code, at);
      bytes.writeUInt32LE(k >>> 0, at + 4);
    } else {
      bytes.writeUInt16BE(code, at);
      bytes.writeUInt32BE(k >>> 0, at + 4);
    }
    bytes.writeUInt8(jt, at + 2);
    bytes.writeUInt8(jf, at + 3);
  });
  return bytes;
}

function unsupported(arch: string): Error {
  return new Error(`the bwrap driver has no seccomp filter for this machine's architecture (${arch}); it knows x64 and arm64. Use SANDBOX_DRIVER=docker here.`);
}
