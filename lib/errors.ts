// lib/ layer: turns any failure into one line that tells the user what to do (house style §5).
// Imports nothing from netlink/: errors are recognised by their name and code fields.
import { dirname, join } from 'node:path';

interface CodedError {
  name?: string;
  code?: string;
  errno?: number;
  syscall?: string;
  op?: string;
  message?: string;
  /** A file path (system errors, CaptureFileError) or, in a DecodeError, the path inside the data. */
  path?: string;
  offset?: number;
  need?: number;
  have?: number;
}

/** A capture file that --replay could not read or --record could not write (netlink CaptureFileError). */
function explainCaptureFile(x: CodedError): string {
  const path = x.path ?? '?';
  if (x.op === 'read') {
    if (x.code === 'ENOENT') return `no such file: ${path} (--replay plays a capture made with --record)`;
    if (x.code === 'EISDIR') return `${path} is a directory: --replay needs a capture file made with --record`;
    if (x.code === 'EACCES' || x.code === 'EPERM') return `permission denied reading ${path} (captures are made with mode 0600: replay as the user who recorded, or chmod it)`;
    return `cannot read the capture ${path} (${x.code})`;
  }
  if (x.code === 'ENOENT') return `cannot create ${path}: the folder ${dirname(path)} does not exist`;
  if (x.code === 'EISDIR') return `${path} is a directory: --record needs a file name, for example ${join(path, 'conntop.pcap')}`;
  if (x.code === 'EACCES' || x.code === 'EPERM') return `cannot create ${path}: permission denied; record into a folder you can write to`;
  if (x.code === 'EROFS') return `cannot create ${path}: read-only file system; record into a folder you can write to`;
  if (x.code === 'ENOSPC' || x.code === 'EDQUOT') return `cannot write the capture ${path}: no space left (${x.code}); what was recorded before still replays`;
  return `cannot write the capture ${path} (${x.code})`;
}

/** A file --replay cannot use: what is wrong with it, and what to do (netlink DecodeError capture codes). */
function explainCaptureContents(x: CodedError): string {
  if (x.code === 'PCAPNG_CAPTURE') {
    return 'this capture is pcapng (what tshark -w and Wireshark save by default), and conntop replays classic pcap: convert it with `editcap -F pcap IN.pcapng OUT.pcap`, or capture with `tshark -F pcap -w FILE`.';
  }
  if (x.code === 'TRUNCATED_CAPTURE') {
    return `the capture ends in the middle of a record (byte ${x.offset}: ${x.have} of its ${x.need} bytes), as when the recording was killed or the disk filled; the records before the cut were replayed.`;
  }
  const not = 'not a capture conntop can replay';
  if (x.path === 'pcap/header') return x.have === 0 ? `${not}: the file is empty` : `${not}: the file has ${x.have} bytes, fewer than a pcap header's ${x.need}`;
  if (x.path === 'pcap/magic') return `${not}: it does not start with a pcap magic number (replay a file made with conntop --record)`;
  if (x.path === 'pcap/version') return `${not}: pcap version ${x.have}, and conntop reads version ${x.need} (classic pcap)`;
  if (x.path === 'pcap/linktype') {
    return `${not}: its link type is ${x.have}, not LINKTYPE_NETLINK (${x.need}), so it holds other traffic (tcpdump on an Ethernet device writes 1); replay a file made with conntop --record`;
  }
  return `${not}: damaged at byte ${x.offset}${x.path ? ` (${x.path})` : ''}`;
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
  if (x.name === 'CaptureFileError') return explainCaptureFile(x);
  if (x.name === 'DecodeError' && (x.code === 'BAD_CAPTURE' || x.code === 'PCAPNG_CAPTURE' || x.code === 'TRUNCATED_CAPTURE')) return explainCaptureContents(x);
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
  if (x.name === 'DecodeError') return `unreadable data (${msg}); please report it with the file made by --record.`;
  if (x.code === 'ENOENT' && x.syscall === 'open') return `no such file: ${x.path ?? msg}`;
  if (x.code === 'ENOENT' || x.code === 'EISDIR' || x.code === 'ENOSPC' || x.code === 'EROFS') return msg;
  return msg;
}
