// The RuntimeDefault seccomp profile: deny by default (EPERM), allow the system calls an
// ordinary program needs, and allow the dangerous ones only when the container holds the
// capability that guards them anyway. Modelled on the shape of Docker's and containerd's
// default profiles (an allow list, capability-gated groups, clone without namespace flags,
// clone3 answered with ENOSYS so libc falls back to clone); written for x86-64 with its
// 32-bit sub-architectures. runc skips names its libseccomp does not know, so listing a
// call that an older kernel lacks is harmless.

import type { OciSeccomp, OciSeccompRule } from './oci.js';

const EPERM = 1;
const ENOSYS = 38;

// Grouped by what they are for, so a reviewer can see why each one is here.
const alwaysAllowed: Record<string, string[]> = {
  files: [
    'access', 'chdir', 'chmod', 'chown', 'chown32', 'close', 'close_range', 'copy_file_range', 'creat', 'dup', 'dup2', 'dup3',
    'faccessat', 'faccessat2', 'fadvise64', 'fadvise64_64', 'fallocate', 'fchdir', 'fchmod', 'fchmodat', 'fchown', 'fchown32',
    'fchownat', 'fcntl', 'fcntl64', 'fdatasync', 'flock', 'fstat', 'fstat64', 'fstatat64', 'fstatfs', 'fstatfs64', 'fsync',
    'ftruncate', 'ftruncate64', 'futimesat', 'getcwd', 'getdents', 'getdents64', 'lchown', 'lchown32', 'link', 'linkat',
    '_llseek', 'lseek', 'lstat', 'lstat64', 'mkdir', 'mkdirat', 'mknod', 'mknodat', 'name_to_handle_at', 'newfstatat', 'open',
    'openat', 'openat2', 'pread64', 'preadv', 'preadv2', 'pwrite64', 'pwritev', 'pwritev2', 'read', 'readahead', 'readlink',
    'readlinkat', 'readv', 'rename', 'renameat', 'renameat2', 'rmdir', 'sendfile', 'sendfile64', 'splice', 'stat', 'stat64',
    'statfs', 'statfs64', 'statx', 'symlink', 'symlinkat', 'sync', 'sync_file_range', 'syncfs', 'tee', 'truncate',
    'truncate64', 'umask', 'unlink', 'unlinkat', 'utime', 'utimensat', 'utimensat_time64', 'utimes', 'vmsplice', 'write',
    'writev',
  ],
  xattrs: ['fgetxattr', 'flistxattr', 'fremovexattr', 'fsetxattr', 'getxattr', 'lgetxattr', 'listxattr', 'llistxattr', 'lremovexattr', 'lsetxattr', 'removexattr', 'setxattr'],
  events: [
    'epoll_create', 'epoll_create1', 'epoll_ctl', 'epoll_ctl_old', 'epoll_pwait', 'epoll_pwait2', 'epoll_wait', 'epoll_wait_old',
    'eventfd', 'eventfd2', 'fanotify_mark', 'inotify_add_watch', 'inotify_init', 'inotify_init1', 'inotify_rm_watch', 'poll',
    'ppoll', 'ppoll_time64', 'pselect6', 'pselect6_time64', 'select', '_newselect', 'signalfd', 'signalfd4', 'timerfd_create',
    'timerfd_gettime', 'timerfd_gettime64', 'timerfd_settime', 'timerfd_settime64',
  ],
  asyncIo: ['io_cancel', 'io_destroy', 'io_getevents', 'io_pgetevents', 'io_pgetevents_time64', 'io_setup', 'io_submit', 'io_uring_enter', 'io_uring_register', 'io_uring_setup', 'ioprio_get', 'ioprio_set', 'ioctl'],
  memory: [
    'brk', 'madvise', 'membarrier', 'memfd_create', 'memfd_secret', 'mincore', 'mlock', 'mlock2', 'mlockall', 'mmap', 'mmap2',
    'mprotect', 'mremap', 'msync', 'munlock', 'munlockall', 'munmap', 'pkey_alloc', 'pkey_free', 'pkey_mprotect', 'remap_file_pages',
  ],
  processes: [
    'arch_prctl', 'capget', 'capset', 'execve', 'execveat', 'exit', 'exit_group', 'fork', 'get_robust_list', 'get_thread_area',
    'getcpu', 'getegid', 'getegid32', 'geteuid', 'geteuid32', 'getgid', 'getgid32', 'getgroups', 'getgroups32', 'getpgid',
    'getpgrp', 'getpid', 'getppid', 'getpriority', 'getresgid', 'getresgid32', 'getresuid', 'getresuid32', 'getrlimit',
    'getrusage', 'getsid', 'gettid', 'getuid', 'getuid32', 'modify_ldt', 'pidfd_open', 'pidfd_send_signal', 'prctl', 'prlimit64',
    'process_mrelease', 'restart_syscall', 'rseq', 'sched_get_priority_max', 'sched_get_priority_min', 'sched_getaffinity',
    'sched_getattr', 'sched_getparam', 'sched_getscheduler', 'sched_rr_get_interval', 'sched_rr_get_interval_time64',
    'sched_setaffinity', 'sched_setattr', 'sched_setparam', 'sched_setscheduler', 'sched_yield', 'seccomp', 'set_robust_list',
    'set_thread_area', 'set_tid_address', 'setfsgid', 'setfsgid32', 'setfsuid', 'setfsuid32', 'setgid', 'setgid32', 'setgroups',
    'setgroups32', 'setpgid', 'setpriority', 'setregid', 'setregid32', 'setresgid', 'setresgid32', 'setresuid', 'setresuid32',
    'setreuid', 'setreuid32', 'setrlimit', 'setsid', 'setuid', 'setuid32', 'ugetrlimit', 'uname', 'vfork', 'wait4', 'waitid',
    'waitpid', 'landlock_add_rule', 'landlock_create_ruleset', 'landlock_restrict_self',
  ],
  signals: [
    'alarm', 'getitimer', 'kill', 'pause', 'rt_sigaction', 'rt_sigpending', 'rt_sigprocmask', 'rt_sigqueueinfo', 'rt_sigreturn',
    'rt_sigsuspend', 'rt_sigtimedwait', 'rt_sigtimedwait_time64', 'rt_tgsigqueueinfo', 'setitimer', 'sigaltstack', 'sigprocmask',
    'sigreturn', 'tgkill', 'tkill',
  ],
  time: [
    'clock_getres', 'clock_getres_time64', 'clock_gettime', 'clock_gettime64', 'clock_nanosleep', 'clock_nanosleep_time64',
    'gettimeofday', 'nanosleep', 'time', 'timer_create', 'timer_delete', 'timer_getoverrun', 'timer_gettime', 'timer_gettime64',
    'timer_settime', 'timer_settime64', 'times', 'adjtimex', 'clock_adjtime', 'clock_adjtime64',
  ],
  sync: ['futex', 'futex_time64', 'futex_waitv'],
  network: [
    'accept', 'accept4', 'bind', 'connect', 'getpeername', 'getsockname', 'getsockopt', 'listen', 'recv', 'recvfrom', 'recvmmsg',
    'recvmmsg_time64', 'recvmsg', 'send', 'sendmmsg', 'sendmsg', 'sendto', 'setsockopt', 'shutdown', 'socketcall', 'socketpair',
  ],
  ipc: [
    'ipc', 'mq_getsetattr', 'mq_notify', 'mq_open', 'mq_timedreceive', 'mq_timedreceive_time64', 'mq_timedsend',
    'mq_timedsend_time64', 'mq_unlink', 'msgctl', 'msgget', 'msgrcv', 'msgsnd', 'pipe', 'pipe2', 'semctl', 'semget', 'semop',
    'semtimedop', 'semtimedop_time64', 'shmat', 'shmctl', 'shmdt', 'shmget',
  ],
  info: ['getrandom', 'sysinfo'],
};

/** Calls that a capability already guards; allowed only when the container holds it. */
const gatedByCapability: Record<string, string[]> = {
  CAP_SYS_ADMIN: [
    'bpf', 'clone', 'clone3', 'fanotify_init', 'fsconfig', 'fsmount', 'fsopen', 'fspick', 'lookup_dcookie', 'mount', 'mount_setattr',
    'move_mount', 'open_tree', 'perf_event_open', 'quotactl', 'quotactl_fd', 'setdomainname', 'sethostname', 'setns', 'syslog',
    'umount', 'umount2', 'unshare',
  ],
  CAP_SYS_BOOT: ['reboot'],
  CAP_SYS_CHROOT: ['chroot'],
  CAP_SYS_MODULE: ['delete_module', 'init_module', 'finit_module'],
  CAP_SYS_PACCT: ['acct'],
  CAP_SYS_PTRACE: ['kcmp', 'pidfd_getfd', 'process_madvise', 'process_vm_readv', 'process_vm_writev', 'ptrace'],
  CAP_SYS_RAWIO: ['iopl', 'ioperm'],
  CAP_SYS_TIME: ['settimeofday', 'stime', 'clock_settime', 'clock_settime64'],
  CAP_SYS_TTY_CONFIG: ['vhangup'],
  CAP_SYS_NICE: ['get_mempolicy', 'mbind', 'set_mempolicy', 'set_mempolicy_home_node'],
  CAP_SYSLOG: ['syslog'],
  CAP_BPF: ['bpf'],
  CAP_PERFMON: ['perf_event_open'],
  CAP_DAC_READ_SEARCH: ['open_by_handle_at'],
};

// clone(2) flags that create namespaces: CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET.
const namespaceCloneFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;
const AF_VSOCK = 40;

/** Personalities a program may switch to: the default, and the ones old binaries ask for. */
const allowedPersonalities = [0x0, 0x0008, 0x20000, 0x20008, 0xffffffff];

/**
 * The profile for a container holding `capabilities` (names like CAP_CHOWN): what is
 * allowed grows with what the capability set already permits, as in Docker's profile.
 */
export function runtimeDefaultSeccomp(capabilities: Iterable<string>): OciSeccomp {
  const caps = new Set(capabilities);
  const rules: OciSeccompRule[] = [{ names: Object.values(alwaysAllowed).flat(), action: 'SCMP_ACT_ALLOW' }];
  // Sockets of every family but vsock (a path to the hypervisor).
  rules.push({ names: ['socket'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: AF_VSOCK, op: 'SCMP_CMP_NE' }] });
  for (const p of allowedPersonalities) {
    rules.push({ names: ['personality'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: p, op: 'SCMP_CMP_EQ' }] });
  }
  const gated = new Set<string>();
  for (const [cap, names] of Object.entries(gatedByCapability)) {
    if (caps.has(cap)) for (const n of names) gated.add(n);
  }
  if (gated.size > 0) rules.push({ names: [...gated].sort(), action: 'SCMP_ACT_ALLOW' });
  if (!caps.has('CAP_SYS_ADMIN')) {
    // Threads and processes, but no new namespaces: clone is allowed when no namespace flag is set.
    rules.push({ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: namespaceCloneFlags, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] });
    // clone3 passes flags in memory a filter cannot read; ENOSYS makes libc fall back to clone.
    rules.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  return {
    defaultAction: 'SCMP_ACT_ERRNO',
    defaultErrnoRet: EPERM,
    architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],
    syscalls: rules,
  };
}
