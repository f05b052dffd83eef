// fuzz/ layer: the registry of codec, state-machine and column-order properties, each a function of {numRuns, seed}.
// Imports the *.prop.ts files. fuzz/run.ts runs them for a time budget; test/fuzz.test.ts in CI.
import { propChangeLineMatchesChangeJson } from './change-line.prop.js';
import { propDecodeAnyBytes } from './decode-any.prop.js';
import { propDumpRepeatsMatchesModel } from './dump-repeats.prop.js';
import { propDigestAnyBytes, propDigestIgnoresTimeoutAndHeader, propDigestSeesEveryByte, propMsgCursorMatchesSplit } from './digest.prop.js';
import { propEntryJsonMatchesFlowJson, propEntryKeyHashFollowsFlowKey } from './entry-json.prop.js';
import { propFlowJsonWriterMatchesFlowJson } from './flow-json-writer.prop.js';
import { propAddrIntoMatchesParse, propFilterMatchTotal, propFilterParseNeverThrows, propFilterRoundTrip } from './filter.prop.js';
import { propCompareIsTotalPreorder, propOrderByKeysMatchesCompare, propSortKeyMatchesCompare, propSortRowsMatchesCompare } from './fields.prop.js';
import { checkFlowTableModel } from './flow-table.prop.js';
import type { PropOptions } from './harness.js';
import { propMutatedKernelMessages } from './mutate.prop.js';
import { propSettingsAnyJson, propSettingsRoundTrip } from './settings.prop.js';
import { propTableBuilderMatchesRender } from './text-table.prop.js';
import { propViewOrderMatchesCompare } from './view-order.prop.js';
import { propEntryRoundTrip, propStatsRoundTrip } from './roundtrip.prop.js';
import { propChangeLinesValidate, propFlowJsonValidates } from './schema.prop.js';
import { propFramerAnyBytes, propFramerAnyChunking, propValidatorAnyJson } from './server-lines.prop.js';
import { propV1ItemAnyJson, propV1UpdatesMatchModel } from './v1-items.prop.js';

export const PROPERTIES: { name: string; run: (o: PropOptions) => void }[] = [
  { name: 'decode-any-bytes', run: propDecodeAnyBytes },
  { name: 'entry-round-trip', run: propEntryRoundTrip },
  { name: 'stats-round-trip', run: propStatsRoundTrip },
  { name: 'mutated-kernel-messages', run: propMutatedKernelMessages },
  // The refresh fast path: the digest ignores exactly the timeout and the header; the cursor equals splitMessages.
  { name: 'digest-ignores-timeout-and-header', run: propDigestIgnoresTimeoutAndHeader },
  { name: 'digest-sees-every-byte', run: propDigestSeesEveryByte },
  { name: 'digest-any-bytes', run: propDigestAnyBytes },
  { name: 'msg-cursor-matches-split', run: propMsgCursorMatchesSplit },
  // The --once --json fast path: bytes written from the decoded entry equal flowJson(toFlow(entry)).
  { name: 'entry-json-matches-flow-json', run: propEntryJsonMatchesFlowJson },
  { name: 'entry-key-hash-follows-flow-key', run: propEntryKeyHashFollowsFlowKey },
  // The --once duplicate check (ids and fingerprints of the copies seen) against a set of pairs.
  { name: 'dump-repeats-matches-model', run: propDumpRepeatsMatchesModel },
  // The server's snapshot fast path: flows written as bytes equal flowJson.
  { name: 'flow-json-writer-matches-flow-json', run: propFlowJsonWriterMatchesFlowJson },
  // The live table against its reference model (fc.commands): dumps, events, id reuse, lost events, resync.
  { name: 'flow-table-model', run: (o) => checkFlowTableModel({ numRuns: o.numRuns, seed: o.seed }) },
  // The filter language: total parser, print/parse round trip, total three-valued matching.
  { name: 'filter-parse-never-throws', run: propFilterParseNeverThrows },
  { name: 'filter-round-trip', run: propFilterRoundTrip },
  { name: 'filter-match-total', run: propFilterMatchTotal },
  { name: 'addr-into-matches-parse', run: propAddrIntoMatchesParse },
  // The settings file: any JSON reads, written settings read back equal.
  { name: 'settings-round-trip', run: propSettingsRoundTrip },
  { name: 'settings-any-json', run: propSettingsAnyJson },
  // The column registry: every comparator a total preorder, every sort key in the comparator's order.
  { name: 'field-compare-total-preorder', run: propCompareIsTotalPreorder },
  { name: 'field-sort-key-matches-compare', run: propSortKeyMatchesCompare },
  { name: 'sort-rows-matches-compare', run: propSortRowsMatchesCompare },
  { name: 'order-by-keys-matches-compare', run: propOrderByKeysMatchesCompare },
  // The --once text table's streaming builder (columns dropped as rows come, lines as bytes) against renderTable.
  { name: 'table-builder-matches-render', run: propTableBuilderMatchesRender },
  // The view's ordered index (typed keys, radix and counting sorts) against a stable comparator sort.
  { name: 'view-order-matches-compare', run: propViewOrderMatchesCompare },
  // The JSON outputs against their published schemas (lib/schema/, docs/schema/).
  { name: 'flow-json-validates', run: propFlowJsonValidates },
  { name: 'change-lines-validate', run: propChangeLinesValidate },
  // The --events fast path: a change's line written as bytes equals changeJson's text.
  { name: 'change-line-matches-change-json', run: propChangeLineMatchesChangeJson },
  // The server's input path: line framing under any chunking and any bytes, validation of any JSON.
  { name: 'server-framer-any-chunking', run: propFramerAnyChunking },
  { name: 'server-framer-any-bytes', run: propFramerAnyBytes },
  { name: 'server-validator-any-json', run: propValidatorAnyJson },
  // The client's reading of conntop 1.0's items: total decoder, schema-valid flows, updates as a model says.
  { name: 'v1-item-any-json', run: propV1ItemAnyJson },
  { name: 'v1-updates-match-model', run: propV1UpdatesMatchModel },
];
