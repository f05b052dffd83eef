// Tests for lib/option-values.ts: each parser takes the values it documents, up to its limits, and refuses
// malformed and out-of-range ones with commander's InvalidArgumentError (cli.ts turns that into exit 2).
import t from 'tap';
import { InvalidArgumentError } from 'commander';
import {
  MAX_INTERVAL_SEC, MAX_RCVBUF_BYTES, SPEED_LIMITS, countArg, dnsWanted, markArg, pathArg, rcvbufArg, secondsArg, speedArg, zoneArg,
} from '../../lib/option-values.js';

const cases: [string, (v: string) => unknown, [string, unknown][], string[]][] = [
  ['secondsArg', secondsArg, [['1', 1], ['0.5', 0.5], ['.25', 0.25], ['1e3', 1000], [String(MAX_INTERVAL_SEC), MAX_INTERVAL_SEC]],
    ['', ' ', ' 1', '0', '-1', '0x10', '0x', 'Infinity', 'NaN', '1s', String(MAX_INTERVAL_SEC + 1), '3000000']],
  ['countArg', countArg, [['0', 0], ['3', 3], ['007', 7]], ['', '1.5', '-1', '1e3', '0x10', ' 2', '9007199254740993']],
  ['rcvbufArg', rcvbufArg, [['4096', 4096], [String(MAX_RCVBUF_BYTES), MAX_RCVBUF_BYTES]], ['', '0', '1e6', String(MAX_RCVBUF_BYTES + 1), '99999999999']],
  ['zoneArg', zoneArg, [['0', 0], ['65535', 65535], ['0xffff', 65535]], ['', '65536', '70000', '-1', '1.5', '0x10000', '0x']],
  ['markArg', markArg, [['16', { mark: 16, mask: undefined }], ['0x10/0xff', { mark: 16, mask: 255 }], ['0xffffffff/0', { mark: 0xffffffff, mask: 0 }]],
    ['', '/', '0x10/', '/0xff', '1/2/3', '0x100000000', '1/x', ' 1', '-1']],
  ['speedArg', speedArg, [['max', Infinity], ['1', 1], [String(SPEED_LIMITS.min), SPEED_LIMITS.min], [String(SPEED_LIMITS.max), SPEED_LIMITS.max]],
    ['', '0', '1e-9', 'Infinity', String(SPEED_LIMITS.max * 10), 'fast']],
  ['pathArg', pathArg, [['x.pcap', 'x.pcap'], ['/tmp', '/tmp']], ['']],
];

for (const [name, parse, good, bad] of cases) {
  t.test(name, async (t) => {
    for (const [v, want] of good) t.same(parse(v), want, `accepts ${JSON.stringify(v)}`);
    for (const v of bad) t.throws(() => parse(v), InvalidArgumentError, `refuses ${JSON.stringify(v)}`);
  });
}

t.test('reverse DNS: on for the live kernel, off for a replay unless asked; -n and --dns win either way', async (t) => {
  t.equal(dnsWanted(undefined, false), true);
  t.equal(dnsWanted(undefined, true), false, 'a replay resolves no capture address unless asked');
  t.equal(dnsWanted(true, true), true, '--replay --dns');
  t.equal(dnsWanted(false, false), false, '-n');
});
