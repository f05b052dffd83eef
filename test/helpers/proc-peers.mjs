// Test helper (not a test): one socket-owning process for the real-kernel process-attribution tests, run
// inside a namespace with `ip netns exec NS node proc-peers.mjs ROLE ...`, so its PID is the socket owner's.
// Imports node: builtins only. Prints one JSON line per event on stdout (the readiness signal: no sleeps);
// every line carries `pid`. It stays alive until killed, except `tcp-client` given a lifetime.
//   tcp-server HOST:PORT...          listen on each; prints {listening}, then {accepted} per connection
//   tcp-client HOST PORT [LIFE_MS]   connect; prints {connected}; with LIFE_MS it closes and exits after that long
//   udp-recv HOST PORT               bind; prints {bound}, then {received} per datagram (no replies)
//   udp-send HOST PORT connected|unconnected   send one datagram a second; prints {sent} after the first
import dgram from 'node:dgram';
import net from 'node:net';

const [role, ...args] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify({ pid: process.pid, ...o }) + '\n');
const fail = (e) => {
  process.stderr.write(`proc-peers ${role}: ${e?.stack ?? e}\n`);
  process.exit(1);
};
/** `1.2.3.4:80` or `[::1]:80` (or `::1:80`: the port is after the last colon). */
const hostPort = (s) => {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(s.slice(i + 1)) };
};
const held = []; // sockets kept referenced so nothing is collected or closed

switch (role) {
  case 'tcp-server': {
    const listening = [];
    let left = args.length;
    for (const a of args) {
      const { host, port } = hostPort(a);
      const s = net.createServer((c) => {
        held.push(c);
        c.on('error', () => undefined);
        out({ accepted: { localAddress: c.localAddress, localPort: c.localPort, remoteAddress: c.remoteAddress, remotePort: c.remotePort } });
      });
      s.on('error', fail);
      s.listen({ host, port, ipv6Only: host.includes(':') }, () => {
        listening.push({ host, port: s.address().port });
        if (--left === 0) out({ listening });
      });
      held.push(s);
    }
    break;
  }
  case 'tcp-client': {
    const [host, port, life] = args;
    const c = net.connect({ host, port: Number(port) }, () => {
      out({ connected: { localAddress: c.localAddress, localPort: c.localPort, remoteAddress: c.remoteAddress, remotePort: c.remotePort } });
      if (life !== undefined) {
        setTimeout(() => {
          c.end();
          c.on('close', () => process.exit(0));
        }, Number(life));
      }
    });
    c.on('error', fail);
    held.push(c);
    break;
  }
  case 'udp-recv': {
    const [host, port] = args;
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.on('error', fail);
    s.on('message', (_m, rinfo) => out({ received: { remoteAddress: rinfo.address, remotePort: rinfo.port } }));
    s.bind(Number(port), host, () => out({ bound: s.address() }));
    held.push(s);
    break;
  }
  case 'udp-send': {
    const [host, port, mode] = args;
    const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    s.on('error', fail);
    const msg = Buffer.from('conntop');
    let first = true;
    const sent = (err) => {
      if (err) return fail(err);
      if (first) {
        first = false;
        const a = s.address();
        out({ sent: { localAddress: a.address, localPort: a.port, connected: mode === 'connected' } });
      }
    };
    if (mode === 'connected') {
      s.connect(Number(port), host, () => {
        s.send(msg, sent);
        setInterval(() => s.send(msg, sent), 1000);
      });
    } else {
      s.bind(0, () => {
        s.send(msg, Number(port), host, sent);
        setInterval(() => s.send(msg, Number(port), host, sent), 1000);
      });
    }
    held.push(s);
    break;
  }
  default:
    fail(new Error(`unknown role ${role}`));
}
