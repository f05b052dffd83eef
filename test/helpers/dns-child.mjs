// Test helper (not a test): runs inside a namespace (`ip netns exec NS node dns-child.mjs MODE ...`) and drives
// the built ReverseDns (dist/lib/enrich/dns.js) against real servers there. Imports node: builtins and dist/.
// Prints one JSON line per step on stdout; the test reads them as they come.
//   checks OK_SERVER SILENT_SERVER SENTINEL_IP
//       answer, NXDOMAIN and its negative cache, a cached second request, coalesced concurrent requests,
//       a timeout against the silent server; finally a fresh query for SENTINEL_IP, which the test uses to know
//       that the server has logged every earlier query. Prints {step, ...} lines, then {done: true}.
//   hang SILENT_SERVER IP
//       starts a lookup with a 60 s timeout and 3 tries against the silent server, prints {pending}, and on
//       any stdin line calls close(), prints {closed, result, pending}; then it must exit by itself. (Without
//       close() the c-ares query keeps the process alive for minutes, though no active resource is listed.)
import { createResolver, ReverseDns } from '../../dist/lib/enrich/dns.js';

const [mode, ...args] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');

if (mode === 'checks') {
  const [okServer, silentServer, sentinel] = args;
  let now = 0;
  const dns = new ReverseDns({ resolver: createResolver({ timeoutMs: 500, tries: 1, servers: [okServer] }), now: () => now });
  out({ step: 'answer', result: await dns.resolve('10.0.0.1') });
  out({ step: 'cached', result: dns.request('10.0.0.1'), queries: dns.stats.queries });
  out({ step: 'nxdomain', result: await dns.resolve('10.0.0.2') });
  out({ step: 'negative', result: dns.request('10.0.0.2'), pending: dns.pendingCount, queries: dns.stats.queries });
  const together = [dns.resolve('10.0.0.4'), dns.resolve('10.0.0.4'), dns.resolve('::ffff:10.0.0.4')];
  out({ step: 'coalesced', results: await Promise.all(together), queries: dns.stats.queries });
  // Negative entries expire (default 300 s): asked again after that, the server sees a second query.
  now += 300_001;
  out({ step: 'expired', result: await dns.resolve('10.0.0.2'), queries: dns.stats.queries });
  dns.close();

  const silent = new ReverseDns({ resolver: createResolver({ timeoutMs: 300, tries: 1, servers: [silentServer] }), now: () => now });
  out({ step: 'timeout', result: await silent.resolve('10.0.0.1') });
  out({ step: 'failure-cached', result: silent.peek('10.0.0.1') });
  silent.close();

  const last = new ReverseDns({ resolver: createResolver({ timeoutMs: 500, tries: 1, servers: [okServer] }), now: () => now });
  out({ step: 'sentinel', result: await last.resolve(sentinel) });
  last.close();
  out({ done: true });
} else if (mode === 'hang') {
  const [silentServer, ip] = args;
  const dns = new ReverseDns({ resolver: createResolver({ timeoutMs: 60_000, tries: 3, servers: [silentServer] }), now: () => 0 });
  const p = dns.resolve(ip);
  out({ pending: dns.pendingCount });
  process.stdin.setEncoding('utf8');
  process.stdin.once('data', async () => {
    process.stdin.destroy();
    dns.close();
    out({ closed: true, result: await p, pending: dns.pendingCount });
  });
} else {
  process.stderr.write(`dns-child: unknown mode ${mode}\n`);
  process.exit(2);
}
