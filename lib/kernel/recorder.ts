// lib/kernel/ (the kernel boundary): the --record capture writer.
import { PcapWriter } from '../../netlink/pcap.js';
import type { WireRecord } from './wire-pipeline.js';

/** Opens a capture file for --record (mode 0600: captures hold addresses). */
export function openRecorder(path: string): { record: (rec: WireRecord) => void; close: () => void; readonly records: number } {
  const w = PcapWriter.open(path);
  return {
    record: (rec) => w.write(rec),
    close: () => w.close(),
    get records() {
      return w.records;
    },
  };
}
