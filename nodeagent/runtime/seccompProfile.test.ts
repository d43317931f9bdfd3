import { expect } from 'chai';
import { runtimeDefaultSeccomp } from './seccompProfile.js';

function allowedUnconditionally(profile: ReturnType<typeof runtimeDefaultSeccomp>): Set<string> {
  return new Set(profile.syscalls.filter((r) => r.action === 'SCMP_ACT_ALLOW' && !r.args).flatMap((r) => r.names));
}

describe('runtimeDefaultSeccomp', () => {
  it('denies by default with EPERM, on x86-64 and its 32-bit ABIs', () => {
    const p = runtimeDefaultSeccomp([]);
    expect(p.defaultAction).to.equal('SCMP_ACT_ERRNO');
    expect(p.defaultErrnoRet).to.equal(1);
    expect(p.architectures).to.include.members(['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  });

  const cases = [
    { name: 'ordinary calls', caps: [], allowed: ['read', 'write', 'openat', 'execve', 'mmap', 'futex', 'epoll_wait', 'accept4', 'exit_group', 'capset'], denied: [] as string[] },
    { name: 'namespace and mount calls without CAP_SYS_ADMIN', caps: [], allowed: [], denied: ['mount', 'umount2', 'unshare', 'setns', 'bpf', 'sethostname'] },
    { name: 'kernel-level calls never listed', caps: [], allowed: [], denied: ['kexec_load', 'add_key', 'keyctl', 'request_key', 'userfaultfd', 'init_module', 'reboot', 'ptrace'] },
    { name: 'CAP_SYS_ADMIN unlocks mount and unshare', caps: ['CAP_SYS_ADMIN'], allowed: ['mount', 'unshare', 'clone', 'clone3'], denied: ['reboot'] },
    { name: 'CAP_SYS_PTRACE unlocks ptrace', caps: ['CAP_SYS_PTRACE'], allowed: ['ptrace', 'process_vm_readv'], denied: ['mount'] },
    { name: 'CAP_SYS_CHROOT unlocks chroot', caps: ['CAP_SYS_CHROOT'], allowed: ['chroot'], denied: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      const allowed = allowedUnconditionally(runtimeDefaultSeccomp(tc.caps));
      for (const s of tc.allowed) expect(allowed.has(s), s).to.equal(true);
      for (const s of tc.denied) expect(allowed.has(s), s).to.equal(false);
    });
  }

  it('allows clone without namespace flags, and answers clone3 with ENOSYS, unless CAP_SYS_ADMIN', () => {
    const p = runtimeDefaultSeccomp([]);
    const clone = p.syscalls.find((r) => r.names.includes('clone'));
    expect(clone?.args).to.deep.equal([{ index: 0, value: 0x7e020000, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }]);
    expect(p.syscalls.find((r) => r.names.includes('clone3'))).to.include({ action: 'SCMP_ACT_ERRNO', errnoRet: 38 });
    expect(runtimeDefaultSeccomp(['CAP_SYS_ADMIN']).syscalls.some((r) => r.names.includes('clone3') && r.action === 'SCMP_ACT_ERRNO')).to.equal(false);
  });

  it('allows sockets of every family but vsock, and only harmless personalities', () => {
    const p = runtimeDefaultSeccomp([]);
    expect(p.syscalls.find((r) => r.names.includes('socket'))?.args).to.deep.equal([{ index: 0, value: 40, op: 'SCMP_CMP_NE' }]);
    const personalities = p.syscalls.filter((r) => r.names.includes('personality')).map((r) => r.args?.[0]?.value);
    expect(personalities).to.have.members([0, 8, 0x20000, 0x20008, 0xffffffff]);
  });
});
