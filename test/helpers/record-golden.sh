#!/usr/bin/env bash
# Re-records the golden captures in test/fixtures/golden/ with conntop's own --record, in throw-away
# network namespaces (root needed). Each scenario leaves NAME.pcap (the raw netlink traffic) and NAME.jsonl
# (what --replay must print). Run from the project root after `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=test/fixtures/golden
cli="node dist/lib/cli.js"
quiet="-n --no-geoip --no-services --no-processes"
ns=conntop-golden-$$
cleanup() { ip netns del "$ns" 2>/dev/null || true; }
trap cleanup EXIT

fresh() {
  cleanup
  ip netns add "$ns"
  ip netns exec "$ns" ip link set lo up
  ip netns exec "$ns" sysctl -qw net.netfilter.nf_conntrack_acct=1 net.netfilter.nf_conntrack_timestamp=1
}
nsx() { ip netns exec "$ns" "$@"; }
ct() { nsx conntrack "$@" >/dev/null 2>&1; }

# once-mixed: every protocol conntop names, both families, marks, zones, NAT; one dump.
fresh
ct -I -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 40001 --dport 443 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 300 -m 42
ct -I -s 10.0.0.1 -d 10.0.0.3 -p tcp --sport 40002 --dport 80 --state SYN_SENT -t 120
ct -I -s 2001:db8::1 -d 2001:db8::2 -p tcp --sport 40003 --dport 22 --state TIME_WAIT -u SEEN_REPLY,ASSURED -t 100
ct -I -s 10.0.0.1 -d 10.0.0.4 -p udp --sport 5353 --dport 53 -t 30
ct -I -s 10.0.0.1 -d 10.0.0.5 -p udplite --sport 7 --dport 8 -t 30
ct -I -s 10.0.0.1 -d 10.0.0.6 -p sctp --sport 9 --dport 10 --state ESTABLISHED --orig-vtag 1 --reply-vtag 2 -t 100
ct -I -s 10.0.0.1 -d 10.0.0.7 -p dccp --sport 11 --dport 12 --state OPEN --role client -t 100
ct -I -s 10.0.0.1 -d 10.0.0.8 -p icmp --icmp-type 8 --icmp-code 0 --icmp-id 77 -t 30
ct -I -s 2001:db8::1 -d 2001:db8::9 -p icmpv6 --icmpv6-type 128 --icmpv6-code 0 --icmpv6-id 78 -t 30
ct -I -s 10.0.0.1 -d 10.0.0.10 -p gre --srckey 0x10 --dstkey 0x20 -t 100
ct -I -s 10.0.0.1 -d 10.0.0.11 -p 99 -t 100
ct -I -s 10.0.0.1 -d 10.0.0.12 -p udp --sport 1000 --dport 2000 -t 60 -w 7
ct -I -s 10.0.1.1 -d 10.0.1.5 -p udp --sport 3000 --dport 53 -t 60 --src-nat 203.0.113.9
nsx $cli --once --json --record "$out/once-mixed.pcap" > "$out/once-mixed.jsonl"

# events-lifecycle: a live run with events, a real loopback TCP exchange, a delete, periodic dumps.
fresh
nsx nft add table inet t
nsx nft add chain inet t out '{ type filter hook output priority 0 ; }'
nsx nft add rule inet t out ct state new,established counter
nsx $cli --events -d 0.3 --iterations 8 $quiet --record "$out/events-lifecycle.pcap" > /dev/null &
pid=$!
sleep 0.5
ct -I -s 10.0.0.1 -d 10.0.0.2 -p tcp --sport 1 --dport 2 --state ESTABLISHED -u SEEN_REPLY,ASSURED -t 100
nsx node -e "
const net = require('node:net');
const srv = net.createServer((c) => c.on('data', () => {}).on('end', () => { c.end(); srv.close(); }));
srv.listen(7070, '127.0.0.1', () => { const c = net.connect(7070, '127.0.0.1', () => c.end('x'.repeat(5000))); });"
sleep 0.5
ct -D -s 10.0.0.1 -d 10.0.0.2 -p tcp
wait "$pid"
$cli --events --replay "$out/events-lifecycle.pcap" --speed max $quiet > "$out/events-lifecycle.jsonl"
ls -la "$out"
