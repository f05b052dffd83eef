// lib/kernel/ (the kernel boundary): the only lib code that imports netlink/, one concept per file. Callers in
// lib/ import from here: the pipeline from datagrams to source events, the kernel and replay sources, the
// recorder and the socket lookup.
export { StatusNames, toFlow } from './to-flow.js';
export { ENOBUFS, WirePipeline, type WireRecord } from './wire-pipeline.js';
export { KernelSource, realtimeNs, type KernelDumpFilter, type KernelSourceOptions } from './kernel-source.js';
export { openRecorder } from './recorder.js';
export { ReplaySource, type ReplayOptions } from './replay-source.js';
export { SockDiagLookup } from './sock-diag-lookup.js';
export { RootRelay, checkRequest, relayOpener, relaySysctls, type Channel, type SocketOpener } from './privsep.js';
export { NETLINK_NETFILTER } from '../../netlink/nfnetlink.js';
