// The fixed-width formatters: decimal SI units (1 kB = 1000 B), bits as bytes × 8, rounding that moves up a
// prefix instead of printing "1000", the widths each promises, cuts with a visible ellipsis, magnitudes.
import t from 'tap';
import { cutTo, fit, formatBytes, formatCount, formatDuration, formatRate, magnitude } from '../../lib/format.js';

t.test('bytes, bits and rates', async (t) => {
  const cases: Array<[number, string, string]> = [
    [0, '0 B', '0 b'], [999, '999 B', '8.0 kb'], [999.6, '1.0 kB', '8.0 kb'], [1_000, '1.0 kB', '8.0 kb'], [1_234, '1.2 kB', '9.9 kb'],
    [9_960, '10 kB', '80 kb'], [34_000, '34 kB', '272 kb'], [999_499, '999 kB', '8.0 Mb'], [999_500, '1.0 MB', '8.0 Mb'],
    [1.2e6, '1.2 MB', '9.6 Mb'], [5.4e12, '5.4 TB', '43 Tb'],
  ];
  for (const [n, bytes, bits] of cases) {
    t.equal(formatBytes(n), bytes, `${n} bytes`);
    t.equal(formatBytes(n, true), bits, `${n} bytes in bits`);
    t.ok(bytes.length <= 6 && bits.length <= 6, 'at most 6 columns');
    t.equal(formatRate(n), `${bytes}/s`);
  }
  t.equal(formatRate(4_250, true), '34 kb/s', 'the issue\'s example');
  t.equal(formatBytes(-1), '-', 'nonsense is not a number');
});

t.test('counts', async (t) => {
  const cases: Array<[number, string]> = [[0, '0'], [999, '999'], [999.7, '1.0k'], [3_400, '3.4k'], [34_000, '34k'], [999_999, '1.0M'], [12e9, '12G']];
  for (const [n, want] of cases) {
    t.equal(formatCount(n), want, String(n));
    t.ok(want.length <= 4, 'at most 4 columns');
  }
});

t.test('durations', async (t) => {
  t.same([59, 60, 3599, 3600, 431999, 999 * 86400 + 23 * 3600].map(formatDuration), ['59s', '1m00s', '59m59s', '1h00m', '4d23h', '999d23h']);
});

t.test('fit pads to the width and cuts with an ellipsis, at the end or in the middle', async (t) => {
  t.equal(fit('ab', 4), 'ab  ');
  t.equal(fit('ab', 4, 'right'), '  ab');
  t.equal(fit('abcdef', 4), 'abc…');
  t.equal(fit('2001:db8:0:0:1:0:0:1', 12, 'left', 'middle'), '2001:d…0:0:1');
  t.equal(cutTo('2001:db8:85a3::8a2e:370:7334', 12, 'middle'), '2001:d…:7334');
  t.equal(cutTo('abc', 1), '…', 'never cut silently, even to one column');
  t.equal(cutTo('abc', 0), '');
  t.equal(cutTo('abc', 3), 'abc', 'unchanged when it fits');
});

t.test('magnitude: 0 below 1 kB, then one step per prefix up to 4', async (t) => {
  t.same([0, 999, 1_000, 1e6, 1e9, 1e12, 1e15, -5, NaN].map(magnitude), [0, 0, 1, 2, 3, 4, 4, 0, 0]);
});
