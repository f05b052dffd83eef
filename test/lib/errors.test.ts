// Tests for lib/errors.ts explain(): every capture and output failure becomes one line that names the file or
// the fault, never a raw code alone (`EISDIR`, `BAD_CAPTURE at byte 0`, `have undefined`).
import t from 'tap';
import { CaptureFileError, DecodeError } from '../../netlink/errors.js';
import { OutputError } from '../../lib/output.js';
import { explain } from '../../lib/errors.js';

const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: failed`), { code });

const cases: [string, unknown, RegExp][] = [
  ['replay a missing file', new CaptureFileError('ENOENT', 'x.pcap', 'read'), /no such file: x\.pcap/],
  ['replay a directory', new CaptureFileError('EISDIR', '/tmp', 'read'), /\/tmp is a directory/],
  ['replay an unreadable file', new CaptureFileError('EACCES', 'x.pcap', 'read'), /permission denied reading x\.pcap/],
  ['record into a directory', new CaptureFileError('EISDIR', '/tmp', 'write'), /\/tmp\/conntop\.pcap/],
  ['record into a missing folder', new CaptureFileError('ENOENT', '/no/dir/x.pcap', 'write'), /folder \/no\/dir does not exist/],
  ['record where one may not', new CaptureFileError('EACCES', '/x.pcap', 'write'), /permission denied/],
  ['record onto a full disk', new CaptureFileError('ENOSPC', 'x.pcap', 'write'), /no space/],
  ['pcapng', new DecodeError('PCAPNG_CAPTURE', 0, 'pcap/magic'), /editcap -F pcap.*tshark -F pcap/],
  ['cut capture', new DecodeError('TRUNCATED_CAPTURE', 76, 'pcap/record[1]', 52, 10), /middle of a record \(byte 76: 10 of its 52 bytes\)/],
  ['empty file', new DecodeError('BAD_CAPTURE', 0, 'pcap/header', 24, 0), /empty/],
  ['short file', new DecodeError('BAD_CAPTURE', 0, 'pcap/header', 24, 10), /10 bytes/],
  ['no magic', new DecodeError('BAD_CAPTURE', 0, 'pcap/magic'), /pcap magic/],
  ['pcap version', new DecodeError('BAD_CAPTURE', 4, 'pcap/version', 2, 1), /version 1, and conntop reads version 2/],
  ['link type', new DecodeError('BAD_CAPTURE', 20, 'pcap/linktype', 253, 1), /link type is 1, not LINKTYPE_NETLINK \(253\)/],
  ['damaged record', new DecodeError('BAD_CAPTURE', 40, 'pcap/record[0]/pkttype', undefined, 3), /damaged at byte 40/],
  ['output on a full disk', new OutputError(errno('ENOSPC')), /cannot write the output \(ENOSPC\)/],
  ['output to a vanished terminal', new OutputError(errno('EIO')), /cannot write the output \(EIO\)/],
];

t.test('capture and output failures: one line, naming what is wrong', async (t) => {
  for (const [name, e, what] of cases) {
    const line = explain(e);
    t.match(line, what, name);
    t.notMatch(line, /\n|undefined|BAD_CAPTURE|PCAPNG_CAPTURE|TRUNCATED_CAPTURE/, `${name}: one line, no raw decoder code`);
  }
});
