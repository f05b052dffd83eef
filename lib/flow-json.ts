// lib/ layer: the JSON text of a Flow, written by hand for speed (JSON.stringify was a fifth of a 100k-flow
// `--once --json`). Imports ./flow only. The output is exactly JSON.stringify(flow) for flows built by
// lib/kernel/to-flow.ts toFlow (same key order); a property test holds it to that.
import type { DirCounters, Flow, FlowTuple } from './flow.js';

const str = JSON.stringify; // for text that may need escaping (addresses are checked, names come from tables)

/**
 * True for the common tuple shape (TCP, UDP: ports and nothing else, as the decoder builds it). Every JSON
 * writer of a flow writes it as src, dst, sport, dport whatever the object's key order; other shapes in key order.
 */
export function portsOnly(t: FlowTuple): t is FlowTuple & { sport: number; dport: number } {
  return t.dport !== undefined && t.sport !== undefined && t.zone === undefined && t.type === undefined && t.code === undefined &&
    t.icmpId === undefined && t.srcKey === undefined && t.dstKey === undefined;
}

function tupleJson(t: FlowTuple): string {
  // The common shape first (TCP, UDP: ports and nothing else, as the decoder builds it): a for-in over
  // every tuple was the costliest step of an event's line.
  if (portsOnly(t)) {
    return `{"src":${str(t.src)},"dst":${str(t.dst)},"sport":${t.sport},"dport":${t.dport}}`;
  }
  let s = `{"src":${str(t.src)},"dst":${str(t.dst)}`;
  for (const k in t) {
    if (k === 'src' || k === 'dst') continue;
    const v = t[k as keyof FlowTuple];
    if (v !== undefined) s += `,"${k}":${v}`;
  }
  return `${s}}`;
}

function countersJson(c: DirCounters): string {
  return `{"packets":${c.packets},"bytes":${c.bytes}}`;
}

function namesJson(names: readonly string[]): string {
  let s = '[';
  for (let i = 0; i < names.length; i++) s += i === 0 ? str(names[i]) : `,${str(names[i])}`;
  return `${s}]`;
}

/** One flow as a JSON line (without the newline): the README schema, keys in toFlow's order. */
export function flowJson(f: Flow): string {
  let s = `{"id":${f.id},"family":"${f.family}","proto":${str(f.proto)},"protoNum":${f.protoNum},"orig":${tupleJson(f.orig)},"reply":${tupleJson(f.reply)}`;
  s += `,"state":${f.state === null ? 'null' : str(f.state)},"status":${namesJson(f.status)},"timeoutSec":${f.timeoutSec}`;
  s += `,"mark":${f.mark},"zone":${f.zone},"use":${f.use},"labels":[${f.labels.join(',')}],"helper":${f.helper === null ? 'null' : str(f.helper)}`;
  if (f.counters) {
    s += `,"counters":{"orig":${countersJson(f.counters.orig)},"reply":${countersJson(f.counters.reply)}${f.counters.saturated ? ',"saturated":true' : ''}}`;
  }
  if (f.startNs !== undefined) s += `,"startNs":"${f.startNs}"`;
  if (f.stopNs !== undefined) s += `,"stopNs":"${f.stopNs}"`;
  if (f.master) s += `,"master":${tupleJson(f.master)}`;
  if (f.secctx !== undefined) s += `,"secctx":${str(f.secctx)}`;
  if (f.host !== undefined) s += `,"host":${str(f.host)}`;
  return `${s}}`;
}
