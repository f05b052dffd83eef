// The systemd unit shipped for conntopd (systemd/conntopd.service): `systemd-analyze verify` accepts it, with
// ExecStart pointed at this checkout's conntopd and MANPATH at the page `npm run build` wrote (the unit's
// Documentation= names conntopd(8), and verify checks that man finds it). Also holds the hardening the unit
// promises in README.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { haveTool } from './helpers/netns.js';

const root = resolve(import.meta.dirname, '..');
const unit = readFileSync(join(root, 'systemd/conntopd.service'), 'utf8');

t.test('the unit is hardened as promised', async (t) => {
  const want = ['CapabilityBoundingSet=CAP_NET_ADMIN', 'AmbientCapabilities=CAP_NET_ADMIN', 'NoNewPrivileges=yes', 'PrivateTmp=yes',
    'ProtectSystem=strict', 'ProtectHome=yes', 'RestrictAddressFamilies=AF_NETLINK AF_INET AF_INET6 AF_UNIX', 'RuntimeDirectory=conntop'];
  for (const line of want) t.ok(unit.split('\n').includes(line), line);
  t.match(unit, /^ExecStart=\/usr\/local\/bin\/conntopd \$CONNTOPD_OPTS$/m);
  const example = readFileSync(join(root, 'systemd/conntopd.default'), 'utf8');
  t.match(example, /--auth-file .* --tls-cert .* --tls-key /, 'the example configuration shows authentication and TLS');
});

t.test('systemd-analyze verify accepts it', { skip: haveTool('systemd-analyze') ? false : 'needs systemd-analyze (systemd)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'conntop-unit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'conntopd.service');
  writeFileSync(file, unit.replace('/usr/local/bin/conntopd', join(root, 'dist/lib/conntopd.js')));
  // man(1) looks in MANPATH/man8/: lay the built page out as npm install -g does.
  mkdirSync(join(dir, 'man/man8'), { recursive: true });
  copyFileSync(join(root, 'man/conntopd.8'), join(dir, 'man/man8/conntopd.8'));
  const r = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8', env: { ...process.env, MANPATH: join(dir, 'man') } });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr.trim(), '', 'no complaint');
});
