// lib/ layer: the filter language's help text, one entry per term (for the view's help screen and the manual's
// "Filter language" section, passed in by the composition root as manual paragraphs). Imports nothing.
// A test holds it complete: every key of the language appears in some entry's term.

/** A paragraph of help: plain text, or a term (the syntax) with its meaning. */
export type FilterHelpPara = string | { term: string; text: string };

/** The filter language's help, README's "Filter language" section in short. */
export const FILTER_HELP: readonly FilterHelpPara[] = [
  'Terms separated by spaces must all hold; "or" (or "|") between terms means either; "!" negates the term or parenthesised group after it; "and" binds tighter than "or". Keys are case-insensitive; a value with spaces or any of ( ) | " is written in double quotes.',
  { term: 'WORD', text: 'Text in an address, host name, service name or process name (case-insensitive); quote a word that is also a keyword.' },
  { term: 'proto:tcp, proto:6', text: 'The protocol, by name or number.' },
  { term: 'family:ipv4, family:6', text: 'The address family.' },
  { term: 'port:443, port:1000-2000, sport:N, dport:N', text: 'A port of either end of either tuple; sport and dport look at the original tuple only.' },
  { term: 'addr:ADDR, net:CIDR, src:CIDR, dst:CIDR', text: 'An IPv4 or IPv6 address or network at either end of either tuple; src and dst look at the original tuple only.' },
  { term: 'host:*.example.com', text: 'The reverse-DNS name of either end.' },
  { term: 'service:https', text: 'The service name of the server port.' },
  { term: 'state:established', text: 'The protocol state.' },
  { term: 'country:DE, asn:15169, org:google, city:berlin', text: 'GeoIP of the remote end.' },
  { term: 'process:firefox, pid:N, user:NAME|UID', text: 'The process owning the local end.' },
  { term: 'dir:in|out|fwd|local, nat:snat|dnat|any|none', text: 'Direction relative to this host, and the NAT applied.' },
  { term: 'server:router', text: 'The server a flow came from, with several -c.' },
  { term: 'mark:0x10/0xff, zone:N, label:N, status:assured, helper:ftp, id:N', text: 'Mark (under a mask), zone, connection label bit, status flag, helper, conntrack id.' },
  { term: 'bytes:>1M, packets:<10, rate:>=10k', text: 'Counters of both directions; rate in bytes per second; units k M G T and Ki Mi Gi Ti.' },
  { term: 'age:>1h, idle:>=30s, timeout:<10', text: 'Seconds; units ms s m h d.' },
  { term: 'local, private, public', text: 'An end is this host; an address is in a private range; an end is public.' },
  { term: 'active, closed', text: 'Rates above 0; a closed flow shown as a ghost row.' },
  'host, service, city, process, user, state, helper and server match the whole name, where * is any text and ? one character; org and bare words match part of the text. Data still being looked up matches neither a term nor its negation.',
];
