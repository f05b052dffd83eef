// lib/ layer: turns any failure into one line that tells the user what to do (house style §5).
// Imports nothing from netlink/: errors are recognised by their name and code fields.

interface CodedError {
  name?: string;
  code?: string;
  errno?: number;
  syscall?: string;
  op?: string;
  message?: string;
  path?: string;
}

/** What to check when the output cannot be written, by errno name. */
const WRITE_HINTS: Record<string, string> = {
  ENOSPC: 'no space left on the device the output goes to',
  EDQUOT: 'disk quota exceeded where the output goes',
  EFBIG: 'the output file grew too large',
  EIO: 'input/output error (a terminal that went away, or a failing disk)',
  EBADF: 'standard output is closed',
};

/** A one-line explanation of `e` with the fix, for stderr or the status bar. */
export function explain(e: unknown): string {
  const x = (e ?? {}) as CodedError;
  const msg = e instanceof Error ? e.message : String(e);
  if (x.name === 'OutputError' && x.code === 'WRITE_FAILED') {
    const reason = (e as { reason?: string }).reason ?? 'EIO';
    return `cannot write the output (${reason}): ${WRITE_HINTS[reason] ?? msg}; the output is incomplete.`;
  }
  if (x.code === 'EPERM' || x.code === 'EACCES') {
    if (x.name === 'NetlinkError' || x.name === 'SocketError') {
      return 'permission denied by the kernel: conntrack needs CAP_NET_ADMIN. Run as root (sudo conntop) or grant the capability (sudo setcap cap_net_admin+ep "$(readlink -f "$(which node)")").';
    }
    return `permission denied: ${msg}`;
  }
  if (x.name === 'SocketError' && (x.code === 'EPROTONOSUPPORT' || x.code === 'EAFNOSUPPORT')) {
    return 'this kernel has no netfilter netlink interface: load it with `sudo modprobe nfnetlink nf_conntrack_netlink`.';
  }
  if (x.name === 'NetlinkError' && (x.code === 'EOPNOTSUPP' || x.code === 'ENOENT')) {
    return `the kernel refused the conntrack ${x.op ?? 'request'} (${x.code}): load ctnetlink with \`sudo modprobe nf_conntrack_netlink\`.`;
  }
  if (x.name === 'DecodeError' && x.code === 'BAD_CAPTURE') return `not a capture conntop can replay (pcap with LINKTYPE_NETLINK): ${msg}`;
  if (x.name === 'DecodeError') return `unreadable data (${msg}); please report it with the file made by --record.`;
  if (x.code === 'ENOENT' && x.syscall === 'open') return `no such file: ${x.path ?? msg}`;
  if (x.code === 'ENOENT' || x.code === 'EISDIR' || x.code === 'ENOSPC' || x.code === 'EROFS') return msg;
  return msg;
}
