// Test helper: parses conntrack-tools 1.4.7 `conntrack -L -o extended,id[,labels]` lines (the oracle of
// ctnetlink.md §7.1) into records a test can compare field by field. Imports nothing: it must stay
// independent of the decoder it checks. Also reads /etc/xtables/connlabel.conf ("<bit> <name>" lines).

/** One direction as the tool prints it; fields are absent when the tool did not print them. */
export interface ToolTuple {
  src: string;
  dst: string;
  sport?: number;
  dport?: number;
  type?: number;
  code?: number;
  /** ICMP/ICMPv6 identifier (`id=` inside the tuple). */
  icmpId?: number;
  srcKey?: number;
  dstKey?: number;
  /** zone-orig= / zone-reply=. */
  zone?: number;
  packets?: number;
  bytes?: number;
}

/** One `conntrack -L -o extended,id,labels` line. */
export interface ToolRecord {
  l3: string;
  l3num: number;
  /** "tcp", …, or "unknown" (then l4num carries the number). */
  l4: string;
  l4num: number;
  /** Seconds; null when not printed (offloaded entries). */
  timeout: number | null;
  state: string | null;
  orig: ToolTuple;
  reply: ToolTuple;
  unreplied: boolean;
  /** The one of [HW_OFFLOAD] / [OFFLOAD] / [ASSURED] printed (first match wins in the tool). */
  flag: 'HW_OFFLOAD' | 'OFFLOAD' | 'ASSURED' | null;
  mark?: number;
  secmark?: number;
  secctx?: string;
  zone?: number;
  deltaTime?: number;
  /** Raw `[start=…]` / `[stop=…]` text (-o ktimestamp), local time. */
  start?: string;
  stop?: string;
  helper?: string;
  use?: number;
  id?: number;
  labels: string[];
  /** Any key=value or token the grammar does not know, kept so a test can flag it. */
  extra: string[];
  raw: string;
}

const TUPLE_KEYS = new Set(['sport', 'dport', 'type', 'code', 'id', 'srckey', 'dstkey', 'packets', 'bytes']);

function num(key: string, v: string, line: string): number {
  const n = /^0x[0-9a-f]+$/i.test(v) ? parseInt(v, 16) : /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new Error(`conntrack line: bad number in ${key}=${v}: ${line}`);
  return n;
}

function setTupleKey(tp: ToolTuple, key: string, v: string, line: string): void {
  const n = num(key, v, line);
  switch (key) {
    case 'sport': tp.sport = n; break;
    case 'dport': tp.dport = n; break;
    case 'type': tp.type = n; break;
    case 'code': tp.code = n; break;
    case 'id': tp.icmpId = n; break;
    case 'srckey': tp.srcKey = n; break;
    case 'dstkey': tp.dstKey = n; break;
    case 'packets': tp.packets = n; break;
    case 'bytes': tp.bytes = n; break;
    case 'zone-orig': case 'zone-reply': tp.zone = n; break;
  }
}

/**
 * Parses one line. The token order is fixed (§7.1): [l3 l3num] l4 l4num [timeout] [STATE] orig tuple
 * [UNREPLIED] reply tuple [flag] mark= … id= labels=. `id=` inside a tuple (after type=/code=) is the
 * ICMP identifier; after the tuples it is CTA_ID. Throws on lines that do not follow the grammar.
 */
export function parseConntrackLine(line: string): ToolRecord {
  const tok = line.trim().split(/\s+/);
  let i = 0;
  const rec: ToolRecord = {
    l3: '', l3num: 0, l4: '', l4num: 0, timeout: null, state: null,
    orig: { src: '', dst: '' }, reply: { src: '', dst: '' },
    unreplied: false, flag: null, labels: [], extra: [], raw: line,
  };
  const bad = (why: string): Error => new Error(`conntrack line: ${why} at token ${i} (${tok[i] ?? 'end'}): ${line}`);
  if (tok[i] === 'ipv4' || tok[i] === 'ipv6' || tok[i] === 'unknown') {
    rec.l3 = tok[i++];
    rec.l3num = num('l3num', tok[i++] ?? '', line);
  }
  rec.l4 = tok[i++] ?? '';
  rec.l4num = num('l4num', tok[i++] ?? '', line);
  if (/^\d+$/.test(tok[i] ?? '')) rec.timeout = Number(tok[i++]);
  if (tok[i] !== undefined && !tok[i].includes('=') && !tok[i].startsWith('[')) rec.state = tok[i++];

  // 'orig' until the second src=, then 'reply' until a token that is not a reply-tuple key, then 'meta'.
  let section: 'pre' | 'orig' | 'reply' | 'meta' = 'pre';
  for (; i < tok.length; i++) {
    const t = tok[i];
    if (t.startsWith('[start=') || t.startsWith('[stop=')) {
      // ctime text contains spaces: join tokens up to the closing bracket.
      let s = t;
      while (!s.endsWith(']') && i + 1 < tok.length) s += ' ' + tok[++i];
      const v = s.slice(s.indexOf('=') + 1, -1);
      if (s.startsWith('[start=')) rec.start = v;
      else rec.stop = v;
      section = 'meta';
      continue;
    }
    if (t.startsWith('[')) {
      if (t === '[UNREPLIED]') rec.unreplied = true;
      else if (t === '[ASSURED]' || t === '[OFFLOAD]' || t === '[HW_OFFLOAD]') {
        if (rec.flag !== null) throw bad('two status flags');
        rec.flag = t.slice(1, -1) as ToolRecord['flag'];
        section = 'meta';
      } else rec.extra.push(t);
      continue;
    }
    const eq = t.indexOf('=');
    if (eq < 0) throw bad('token without "="');
    const key = t.slice(0, eq);
    const v = t.slice(eq + 1);
    if (key === 'src') {
      if (section === 'pre') section = 'orig';
      else if (section === 'orig') section = 'reply';
      else throw bad('third src=');
      (section === 'orig' ? rec.orig : rec.reply).src = v;
      continue;
    }
    if (section === 'orig' || section === 'reply') {
      const tp = section === 'orig' ? rec.orig : rec.reply;
      const zoneKey = section === 'orig' ? 'zone-orig' : 'zone-reply';
      // In the reply section a second id= (or an id= of a non-ICMP tuple) is the entry id.
      const isIcmpId = key === 'id' && tp.type !== undefined && tp.icmpId === undefined;
      if (key === 'dst') { tp.dst = v; continue; }
      if (key === zoneKey || (TUPLE_KEYS.has(key) && (key !== 'id' || isIcmpId))) {
        setTupleKey(tp, key, v, line);
        continue;
      }
      if (section === 'orig') throw bad(`unexpected key ${key} in the original tuple`);
      section = 'meta';
    }
    if (section !== 'meta') throw bad(`key ${key} before the tuples`);
    switch (key) {
      case 'mark': rec.mark = num(key, v, line); break;
      case 'secmark': rec.secmark = num(key, v, line); break;
      case 'secctx': rec.secctx = v; break;
      case 'zone': rec.zone = num(key, v, line); break;
      case 'delta-time': rec.deltaTime = num(key, v, line); break;
      case 'helper': rec.helper = v; break;
      case 'use': rec.use = num(key, v, line); break;
      case 'id': rec.id = num(key, v, line); break;
      case 'labels': rec.labels = v === '' ? [] : v.split(','); break;
      default: rec.extra.push(t);
    }
  }
  if (!rec.orig.src || !rec.reply.src) throw bad('missing a tuple');
  return rec;
}

/**
 * Parses the stdout of `conntrack -L -o extended,id[,labels]`: one record per non-empty line. The summary
 * line ("N flow entries have been shown") goes to stderr; it is skipped here too in case stderr was merged.
 */
export function parseConntrackList(stdout: string): ToolRecord[] {
  return stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('conntrack v')).map(parseConntrackLine);
}

/** Parses connlabel.conf text: "<bit> <name>" lines, '#' comments. Returns name → bit. */
export function parseConnlabelConf(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const mm = /^(\d+)\s+(\S+)/.exec(line);
    if (mm) m.set(mm[2], Number(mm[1]));
  }
  return m;
}
