// Tests for server/auth.ts and the TLS and authentication paths of server/server.ts and server/client.ts over
// loopback: the right secret syncs, a wrong or missing one is refused (and repeated failures rate-limited);
// TLS with the right CA or pinned fingerprint syncs, a wrong certificate is refused; the server keeps serving.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthFileError, readAuthFile } from '../../server/auth.js';
import { RemoteError } from '../../server/client.js';
import { haveTool } from '../helpers/netns.js';
import { Mirror, RawClient, Served, helloLine, mkFlow } from '../helpers/serve-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'conntop-sec-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof RemoteError ? e.code : String(e);
  }
}

t.test('the secret file must be readable by its owner only', async (t) => {
  const f = join(dir, 'secret');
  writeFileSync(f, 's3cret\n');
  chmodSync(f, 0o644);
  t.throws(() => readAuthFile(f), { code: 'AUTH_FILE_PERMISSIONS' });
  chmodSync(f, 0o600);
  t.equal(readAuthFile(f).toString(), 's3cret', 'the trailing newline is not part of it');
  writeFileSync(f, '\n');
  t.throws(() => readAuthFile(f), AuthFileError);
});

t.test('shared secret: right one syncs, wrong or missing one is refused, failures are rate-limited', async (t) => {
  const s = new Served({ secret: Buffer.from('right') });
  await s.listen();
  t.teardown(() => s.close());
  s.refresh(Array.from({ length: 40 }, (_, i) => mkFlow(i)));
  const good = new Mirror(s.port, { secret: Buffer.from('right') });
  t.teardown(() => good.close());
  await good.start();
  t.equal(good.table.snapshot().length, 40);
  t.equal(await rejection(new Mirror(s.port, { secret: Buffer.from('wrong') }).start()), 'auth-failed');
  t.equal(await rejection(new Mirror(s.port).start()), 'auth-required');
  t.ok(s.logs.some((l) => /authentication failed from 127\.0\.0\.1/.test(l)), 'the failure is logged');
  // a 1.0 client cannot authenticate: refused
  const v1 = new RawClient(s.port);
  t.teardown(() => v1.destroy());
  v1.send('{"message":"HELLO","name":"old","version":"1.0.0","platform":"Linux"}\n');
  t.equal((await v1.waitFor('DISCONNECT')).reason, 'VERSION_MISMATCH');
  for (let i = 0; i < 5; i++) await rejection(new Mirror(s.port, { secret: Buffer.from(`wrong${i}`) }).start());
  t.equal(await rejection(new Mirror(s.port, { secret: Buffer.from('right') }).start()), 'rate-limited', 'after 5 failures a minute, refused');
  t.ok(s.logs.length < 6, `logging is rate-limited too (${s.logs.length} lines)`);
  s.refresh(Array.from({ length: 41 }, (_, i) => mkFlow(i)));
  await new Promise<void>((r) => {
    const check = (): void => (good.table.snapshot().length === 41 ? r() : void setTimeout(check, 10));
    check();
  });
  t.equal(good.source.state, 'live', 'the authenticated client kept being served');
});

t.test('TLS: right CA or pinned fingerprint syncs; a wrong certificate or plain TCP is refused', { skip: haveTool('openssl') ? false : 'openssl missing' }, async (t) => {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=conntop test CA');
  ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'san.ext');
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'other.key', '-out', 'other.pem', '-days', '2', '-subj', '/CN=impostor');
  const fp = ssl('x509', '-in', 'srv.pem', '-noout', '-fingerprint', '-sha256').toString().split('=')[1].trim();
  const read = (f: string) => readFileSync(join(dir, f));
  const s = new Served({ tls: { cert: read('srv.pem'), key: read('srv.key') } });
  await s.listen();
  t.teardown(() => s.close());
  s.refresh(Array.from({ length: 30 }, (_, i) => mkFlow(i)));
  const byCa = new Mirror(s.port, { tls: { ca: read('ca.pem') } });
  const byPin = new Mirror(s.port, { tls: { fingerprint: fp } });
  t.teardown(() => { byCa.close(); byPin.close(); });
  await byCa.start();
  await byPin.start();
  t.equal(byCa.table.snapshot().length, 30);
  t.equal(byPin.table.snapshot().length, 30);
  t.not(await rejection(new Mirror(s.port, { tls: { ca: read('other.pem') } }).start()), 'resolved', 'a CA that did not sign the certificate');
  t.equal(await rejection(new Mirror(s.port, { tls: { fingerprint: 'AB'.repeat(32) } }).start()), 'tls-fingerprint');
  const plain = new RawClient(s.port);
  t.teardown(() => plain.destroy());
  plain.send(helloLine());
  // the wrong server certificate: our client with the right CA against a server with an impostor's certificate
  const bad = new Served({ tls: { cert: read('other.pem'), key: read('other.key') } });
  await bad.listen();
  t.teardown(() => bad.close());
  t.not(await rejection(new Mirror(bad.port, { tls: { ca: read('ca.pem') } }).start()), 'resolved', 'an impostor certificate');
  s.refresh(Array.from({ length: 31 }, (_, i) => mkFlow(i)));
  await new Promise<void>((r) => {
    const check = (): void => (byCa.table.snapshot().length === 31 && byPin.table.snapshot().length === 31 ? r() : void setTimeout(check, 10));
    check();
  });
  t.pass('the TLS clients kept being served');
});
