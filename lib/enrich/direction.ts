// lib/ layer (enrich): a flow's direction relative to this machine, the NAT applied, and its service side.
// Imports lib/flow.ts types and ./addr-class.ts. Pure functions: whether an address is local is injected.
import type { SocketQuery } from './processes.js';
import type { Flow } from '../flow.js';
import { canonicalIp } from './addr-class.js';

/**
 * outbound: this machine opened it; inbound: it was opened to this machine; forwarded: neither end is
 * local (a router); local: both ends are local.
 */
export type Direction = 'outbound' | 'inbound' | 'forwarded' | 'local';
/** Which translation conntrack applied: source NAT (masquerade), destination NAT (port forward), both, none. */
export type NatKind = 'none' | 'snat' | 'dnat' | 'both';

/** Direction and NAT of one flow. */
export interface FlowDirection {
  dir: Direction;
  nat: NatKind;
}

// Equal text is the same end without parsing (an untranslated flow's tuples mirror each other exactly).
const sameEnd = (a: string, ap: number | undefined, b: string, bp: number | undefined) =>
  ap === bp && (a === b || canonicalIp(a) === canonicalIp(b));

/**
 * NAT from the status bits (SRC_NAT, DST_NAT) or, when the bits are absent (some events), from tuples
 * that do not mirror each other. The four real ends: the client (orig.src/sport) as it sent the first packet,
 * the target it aimed at (orig.dst/dport, before DNAT), the server as it really is (reply.src/sport, after
 * DNAT) and the client as the server sees it (reply.dst/dport, after SNAT).
 */
export function natKind(f: Pick<Flow, 'orig' | 'reply' | 'status'>): NatKind {
  // The ends read from the tuples directly (an object per end per flow was a 100k-flow table's garbage).
  const o = f.orig, r = f.reply;
  const snat = f.status.includes('SRC_NAT') || !sameEnd(o.src, o.sport, r.dst, r.dport); // client vs translated client
  const dnat = f.status.includes('DST_NAT') || !sameEnd(o.dst, o.dport, r.src, r.sport); // target vs server
  return snat && dnat ? 'both' : snat ? 'snat' : dnat ? 'dnat' : 'none';
}

/**
 * Direction from the real ends: the client (orig.src) and the server (reply.src, which sees through DNAT).
 * A port forward on a router (orig.dst is the router, reply.src a LAN host) is therefore `forwarded`.
 */
export function flowDirection(f: Pick<Flow, 'orig' | 'reply' | 'status'>, isLocal: (addr: string) => boolean): FlowDirection {
  return { dir: directionOf(isLocal(f.orig.src), isLocal(f.reply.src)), nat: natKind(f) };
}

/** flowDirection's direction from whether the client (orig.src) and the server (reply.src) are local. */
export function directionOf(clientLocal: boolean, serverLocal: boolean): Direction {
  return clientLocal && serverLocal ? 'local' : clientLocal ? 'outbound' : serverLocal ? 'inbound' : 'forwarded';
}

const SOCKET_PROTOS = new Set([6, 17, 33, 132, 136]);

/**
 * The socket lookup that finds the process behind a flow's local end, or null when there is no local end
 * (forwarded) or the protocol has no sockets with ports. The client's socket sees the orig tuple; an inbound
 * server's socket sees the reply tuple reversed.
 */
export function socketQuery(flow: Pick<Flow, 'family' | 'protoNum' | 'orig' | 'reply'>, dir: Direction): SocketQuery | null {
  if (!SOCKET_PROTOS.has(flow.protoNum) || dir === 'forwarded') return null;
  const o = flow.orig, r = flow.reply;
  return dir === 'inbound'
    ? { family: flow.family, protoNum: flow.protoNum, src: r.src, sport: r.sport ?? 0, dst: r.dst, dport: r.dport ?? 0 }
    : { family: flow.family, protoNum: flow.protoNum, src: o.src, sport: o.sport ?? 0, dst: o.dst, dport: o.dport ?? 0 };
}

/**
 * The remote end to geolocate: the server when outbound, the client when inbound, null when local. Only public
 * addresses have a place on the map (GeoIP data for private or documentation ranges is noise): `serverPublic`
 * and `clientPublic` say whether reply.src and orig.src are.
 */
export function remoteAddress(f: Pick<Flow, 'orig' | 'reply'>, dir: Direction, serverPublic: boolean, clientPublic: boolean): string | null {
  switch (dir) {
    case 'outbound': return serverPublic ? f.reply.src : null;
    case 'inbound': return clientPublic ? f.orig.src : null;
    case 'local': return null;
    case 'forwarded': return serverPublic ? f.reply.src : clientPublic ? f.orig.src : null;
  }
}

/** Ports below this are "well known" when the server side's port is not in the service table. */
const WELL_KNOWN_BELOW = 1024;

/** The service side of a flow: which port names the service, and the name when one is known. */
export interface ServiceSide {
  /** 'server' = orig.dport (the port the client aimed at); 'client' = orig.sport (flow picked up mid-stream). */
  side: 'server' | 'client';
  port: number;
  name: string | null;
}

/**
 * Names the server's port (orig.dport, before DNAT, the port the user asked for), never the client's
 * ephemeral one. Only when the server port is unknown and the client port is a known well-known port
 * (a TCP flow picked up mid-stream in reverse) is the client side named. Null for port-less protocols.
 */
export function serviceSide(
  f: Pick<Flow, 'orig' | 'proto'>, lookup: (proto: string, port: number) => string | undefined,
): ServiceSide | null {
  const { sport, dport } = f.orig;
  if (dport === undefined) return null;
  const name = lookup(f.proto, dport);
  if (name !== undefined) return { side: 'server', port: dport, name };
  if (sport !== undefined && sport < WELL_KNOWN_BELOW && dport >= WELL_KNOWN_BELOW) {
    const alt = lookup(f.proto, sport);
    if (alt !== undefined) return { side: 'client', port: sport, name: alt };
  }
  return { side: 'server', port: dport, name: null };
}
