// lib/ layer (enrich): service names by protocol and port, from /etc/services or a built-in table.
// Imports nothing; the file text is read by the caller (injected reader) and passed in.
// Which port of a flow to name is decided in direction.ts (serviceSide), never here.

/** Most entries kept from a services file (a full /etc/services has about 600). */
export const MAX_SERVICES = 20_000;

/** Common ports for minimal systems without /etc/services (names as in Debian's netbase). */
const BUILTIN: ReadonlyArray<readonly [string, number, string]> = [
  ['tcp', 20, 'ftp-data'], ['tcp', 21, 'ftp'], ['tcp', 22, 'ssh'], ['tcp', 23, 'telnet'], ['tcp', 25, 'smtp'],
  ['tcp', 53, 'domain'], ['udp', 53, 'domain'], ['udp', 67, 'bootps'], ['udp', 68, 'bootpc'], ['udp', 69, 'tftp'],
  ['tcp', 80, 'http'], ['udp', 80, 'http'], ['tcp', 88, 'kerberos'], ['udp', 88, 'kerberos'], ['tcp', 110, 'pop3'],
  ['udp', 123, 'ntp'], ['tcp', 111, 'sunrpc'], ['udp', 111, 'sunrpc'], ['tcp', 119, 'nntp'], ['udp', 137, 'netbios-ns'],
  ['udp', 138, 'netbios-dgm'], ['tcp', 139, 'netbios-ssn'], ['tcp', 143, 'imap2'], ['udp', 161, 'snmp'],
  ['udp', 162, 'snmp-trap'], ['tcp', 179, 'bgp'], ['tcp', 389, 'ldap'], ['tcp', 443, 'https'], ['udp', 443, 'https'],
  ['tcp', 445, 'microsoft-ds'], ['udp', 500, 'isakmp'], ['udp', 514, 'syslog'], ['tcp', 587, 'submission'],
  ['tcp', 631, 'ipp'], ['tcp', 636, 'ldaps'], ['tcp', 853, 'domain-s'], ['udp', 853, 'domain-s'], ['tcp', 873, 'rsync'],
  ['tcp', 993, 'imaps'], ['tcp', 995, 'pop3s'], ['udp', 1194, 'openvpn'], ['tcp', 1433, 'ms-sql-s'], ['udp', 1812, 'radius'],
  ['udp', 1900, 'ssdp'], ['tcp', 2049, 'nfs'], ['udp', 2049, 'nfs'], ['tcp', 3306, 'mysql'], ['tcp', 3389, 'ms-wbt-server'],
  ['udp', 3478, 'stun'], ['udp', 4500, 'ipsec-nat-t'], ['udp', 5353, 'mdns'], ['tcp', 5432, 'postgresql'],
  ['tcp', 5672, 'amqp'], ['tcp', 5900, 'rfb'], ['tcp', 6379, 'redis'], ['tcp', 6443, 'sun-sr-https'],
  ['tcp', 6697, 'ircs-u'], ['tcp', 8080, 'http-alt'], ['tcp', 9418, 'git'], ['udp', 51820, 'wireguard'],
];

/** Protocols that share a port namespace in /etc/services. */
const ALIAS: Readonly<Record<string, string>> = { udplite: 'udp' };

/** An immutable protocol+port to name table; `size` ≤ MAX_SERVICES. */
export class ServiceTable {
  /** Names by protocol, then port: a lookup builds no key string (a 100k-flow table looks up 100k ports). */
  readonly #byProto = new Map<string, Map<number, string>>();
  #size = 0;
  /** Where the names came from, for the status line: a file path or "built-in". */
  readonly origin: string;

  constructor(entries: Iterable<readonly [string, number, string]>, origin: string) {
    for (const [proto, port, name] of entries) {
      let ports = this.#byProto.get(proto);
      if (ports === undefined) this.#byProto.set(proto, (ports = new Map()));
      if (!ports.has(port) && this.#size < MAX_SERVICES) {
        ports.set(port, name);
        this.#size++;
      }
    }
    this.origin = origin;
  }

  get size(): number {
    return this.#size;
  }

  /** The service name for `proto` ("tcp", "udp", "sctp", ...) and `port` (0–65535), or undefined. */
  lookup(proto: string, port: number): string | undefined {
    return this.#byProto.get(ALIAS[proto] ?? proto)?.get(port);
  }
}

/** The built-in table of common ports. */
export function builtinServices(): ServiceTable {
  return new ServiceTable(BUILTIN, 'built-in');
}

/** Parses services(5) text: `name port/proto [aliases] [# comment]`; malformed lines are skipped. */
export function parseServices(text: string, origin = '/etc/services'): ServiceTable {
  const entries: Array<[string, number, string]> = [];
  for (const raw of text.split('\n')) {
    const hash = raw.indexOf('#');
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line === '') continue;
    const [name, portProto] = line.split(/\s+/);
    const m = /^(\d{1,5})\/([a-z0-9-]+)$/i.exec(portProto ?? '');
    if (!m || !name) continue;
    const port = Number(m[1]);
    if (port > 65535) continue;
    entries.push([m[2].toLowerCase(), port, name]);
  }
  return new ServiceTable(entries, origin);
}

/**
 * Loads the services file through `readText`, falling back to the built-in table when it is missing,
 * unreadable or holds no entries. Never throws.
 */
export async function loadServices(readText: (path: string) => Promise<string>, path = '/etc/services'): Promise<ServiceTable> {
  try {
    const table = parseServices(await readText(path), path);
    if (table.size > 0) return table;
  } catch {
    // fall through to the built-in table
  }
  return builtinServices();
}
