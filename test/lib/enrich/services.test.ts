import t from 'tap';
import { builtinServices, loadServices, MAX_SERVICES, parseServices } from '../../../lib/enrich/services.js';

const SAMPLE = `# /etc/services sample
tcpmux		1/tcp				# TCP port service multiplexer
ssh		22/tcp				# SSH Remote Login Protocol
domain		53/tcp
domain		53/udp
http		80/tcp		www		# WorldWideWeb HTTP
https		443/tcp
https		443/udp
ciscopop	45000/tcp
broken		notaport/tcp
toolarge	70000/tcp
sctp-thing	9899/sctp
`;

t.test('parses services(5) text', async (t) => {
  const s = parseServices(SAMPLE);
  t.equal(s.lookup('tcp', 22), 'ssh');
  t.equal(s.lookup('udp', 53), 'domain');
  t.equal(s.lookup('tcp', 80), 'http', 'aliases are ignored');
  t.equal(s.lookup('sctp', 9899), 'sctp-thing');
  t.equal(s.lookup('udp', 22), undefined, 'protocols do not mix');
  t.equal(s.lookup('udplite', 443), 'https', 'udplite uses udp names');
  t.equal(s.size, 9, 'malformed and out-of-range lines skipped');
  t.equal(s.origin, '/etc/services');
});

t.test('falls back to the built-in table', async (t) => {
  const missing = await loadServices(async () => { throw Object.assign(new Error('nope'), { code: 'ENOENT' }); });
  t.equal(missing.origin, 'built-in');
  t.equal(missing.lookup('tcp', 443), 'https');
  t.equal(missing.lookup('udp', 53), 'domain');
  const empty = await loadServices(async () => '# nothing\n');
  t.equal(empty.origin, 'built-in');
  const real = await loadServices(async () => SAMPLE, '/x/services');
  t.equal(real.origin, '/x/services');
  t.ok(builtinServices().size > 40);
});

t.test('bounded', async (t) => {
  const big = Array.from({ length: MAX_SERVICES + 10 }, (_, i) => `s${i}\t${i % 65536}/${i < 65536 ? 'tcp' : 'udp'}`).join('\n');
  t.equal(parseServices(big).size, MAX_SERVICES);
});
