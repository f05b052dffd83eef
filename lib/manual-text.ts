// lib/ layer: the prose of conntop(1) and conntopd(8) around what is generated (options from the command
// line's own definitions, keys from the view's keymap, both passed in by the composition roots). Imports
// ./manual only. Keep it true: what a section states is tested where the behaviour is.
import type { KeySpec, ManSpec, OptionSpec, Para } from './manual.js';

const FILES_COMMON: Para[] = [
  { term: '/run/conntop/sysctl-net-DEV-INODE.json', text: 'The state that every conntop and conntopd instance in one network namespace shares for the conntrack sysctls: the values found by the first instance and the running members. The last one to leave restores the values (CONNTOP_RUN_DIR moves the directory).' },
];

const SYSCTLS: Para[] = [
  'While it runs, conntop sets net.netfilter.nf_conntrack_acct and nf_conntrack_timestamp to 1 (they affect flows created afterwards only), and nf_conntrack_events to 1 when it is 0 or 2 ("auto", which drops DESTROY events of flows created before a listener existed).',
  'It restores the values it found on every exit: normal end, SIGINT, SIGTERM, SIGHUP or an internal error; instances in one namespace share them (see FILES). --no-sysctl leaves them alone.',
];

const EXIT: Para[] = [
  { term: '0', text: 'Success; also when the reader of the output went away (a closed pipe).' },
  { term: '1', text: 'A runtime failure, with a one-line message that says how to fix it (run as root or grant CAP_NET_ADMIN; modprobe nf_conntrack_netlink; a write error).' },
  { term: '2', text: 'Bad usage: an unknown option, a malformed or out-of-range value, or options that do not go together.' },
  { term: '128+N', text: 'Stopped by signal N (SIGHUP, SIGINT, SIGTERM), after restoring the terminal and the sysctls.' },
];

/** conntop(1): options from --help's definitions, keys from the view's keymap. */
export function conntopManual(version: string, date: string, options: readonly OptionSpec[], keys: readonly KeySpec[], filterHelp: readonly Para[]): ManSpec {
  return {
    name: 'conntop', section: 1, version, date,
    summary: 'a live, top-like monitor of the Linux connection-tracking table',
    synopsis: ['conntop [options]', 'conntop --once [--json] [options]', 'conntop --events [options]', 'conntop --replay FILE [options]', 'conntop --connect HOST[:PORT] [options]', 'conntop --server [conntopd options]'],
    description: [
      'conntop shows every flow the kernel tracks (TCP, UDP, UDP-Lite, SCTP, DCCP, ICMP, ICMPv6, GRE and any other protocol, IPv4 and IPv6) with states, NAT, counters, rates, ages, marks, zones, labels, and what it can learn about each: service names, direction, GeoIP country and AS, reverse DNS names, and the owning process.',
      'It talks to the kernel itself over NETLINK_NETFILTER (ctnetlink): it needs root or CAP_NET_ADMIN in the network namespace it watches, and no libnetfilter_conntrack. It subscribes to conntrack events and dumps the table every refresh interval, so its table never drifts from the kernel, even after lost events.',
      'Without --once, --events or --server it opens the interactive view in the terminal. --once prints the table once (text, or JSON lines with --json); --events streams one JSON line per change; --record and --replay save and play back the raw netlink traffic as pcap files that Wireshark reads; --connect follows a conntop server instead of the local kernel.',
    ],
    options,
    keys,
    sections: [
      { title: 'Filter language', body: filterHelp },
      { title: 'Files', body: [
        { term: '$XDG_CONFIG_HOME/conntop/conntoprc', text: 'The view\'s settings (columns, sort, meters, theme, toggles), written atomically; ~/.config/conntop/conntoprc when XDG_CONFIG_HOME is unset. Under sudo, the invoking user\'s file.' },
        ...FILES_COMMON,
        { term: '/usr/share/GeoIP, /var/lib/GeoIP, /usr/local/share/GeoIP, ~/.local/share/GeoIP', text: 'Where MaxMind databases (GeoLite2 or GeoIP2 Country, City, ASN, ISP) are looked for, after --geoip-dir. Without them, embedded open data gives country and AS.' },
        { term: '/etc/services', text: 'Service names (a built-in table when missing).' },
      ] },
      { title: 'Environment', body: [
        { term: 'NO_COLOR', text: 'When set (to anything), the view uses no colour.' },
        { term: 'XDG_CONFIG_HOME', text: 'Where the settings directory is.' },
        { term: 'SUDO_USER, SUDO_UID, SUDO_GID', text: 'Under sudo, the settings file is the invoking user\'s and stays owned by that user.' },
        { term: 'CONNTOP_RUN_DIR', text: 'The directory of the shared sysctl state (default /run/conntop).' },
      ] },
      { title: 'Sysctls', body: SYSCTLS },
      { title: 'Exit status', body: EXIT },
      { title: 'Examples', body: [
        { term: 'sudo conntop', text: 'The interactive view of this host\'s table.' },
        { term: 'sudo conntop --once -4 -T', text: 'IPv4 TCP flows once, as text fitted to the terminal.' },
        { term: 'sudo conntop --once --json | jq -r \'select(.proto == "udp") | .orig.dst\'', text: 'The destinations of UDP flows, for a script.' },
        { term: 'sudo conntop --events | jq -c \'select(.event == "new")\'', text: 'New flows as they happen.' },
        { term: 'sudo conntop --record run.pcap --events > /dev/null', text: 'Record the raw netlink traffic; tshark -r run.pcap dissects it.' },
        { term: 'conntop --replay run.pcap', text: 'Replay a capture in the view: no kernel, no root.' },
        { term: 'conntop --connect router.lan --auth-file ~/.config/conntop/secret --tls-ca ca.pem', text: 'Watch a router running conntopd.' },
      ] },
      { title: 'See also', body: ['conntopd(8), conntrack(8), tshark(1)'] },
    ],
  };
}

/** conntopd(8): options from its own definitions. */
export function conntopdManual(version: string, date: string, options: readonly OptionSpec[]): ManSpec {
  return {
    name: 'conntopd', section: 8, version, date,
    summary: 'serve the Linux connection-tracking table to conntop clients',
    synopsis: ['conntopd [options]', 'conntop --server [options]'],
    description: [
      'conntopd follows the kernel\'s conntrack table as conntop does (events plus a dump every refresh interval) and serves it to conntop --connect clients over TCP as line-delimited JSON: a full snapshot in chunks, then per refresh only what changed. It loads no view, GeoIP or DNS code: clients enrich what they show.',
      'It listens on loopback only (127.0.0.1 and ::1) unless told otherwise, refuses lines over the protocol\'s length cap, validates every message, and gives each client a bounded queue, so one misbehaving client never disturbs the others. It also speaks conntop 1.0\'s protocol on the same port.',
      'For a LAN: --listen ADDRESS with --auth-file (a shared secret, HMAC challenge-response) and --tls-cert/--tls-key. A systemd unit with a hardened sandbox ships in the package (systemd/conntopd.service).',
    ],
    options,
    sections: [
      { title: 'Files', body: [
        ...FILES_COMMON,
        { term: '/etc/default/conntopd', text: 'Options for the systemd unit (CONNTOPD_OPTS).' },
      ] },
      { title: 'Sysctls', body: SYSCTLS },
      { title: 'Exit status', body: EXIT },
      { title: 'Examples', body: [
        { term: 'sudo conntopd', text: 'Serve this host\'s table on 127.0.0.1 and ::1, port 55555.' },
        { term: 'sudo conntopd --listen 192.0.2.1 --auth-file /etc/conntop/secret --tls-cert cert.pem --tls-key key.pem', text: 'Serve a LAN, authenticated and encrypted.' },
      ] },
      { title: 'See also', body: ['conntop(1)'] },
    ],
  };
}
