// How often the gold block is the top MIPS result for the held-out pre-training queries of a run
// (the built-in world: a sentence's gold block is the one titled by its subject), per relation, and
// the first 25 misses with what was retrieved instead. DROP_MASK=1 deletes the [MASK] pieces from
// each query before embedding it (how much [MASK] itself costs the retriever).
// Run: [DROP_MASK=1] npx tsx --conditions=@realm/source tools/experiments/retrieval-misses.ts DIR [EXPORT_DIR]
//   DIR: a `realm pretrain` run directory; EXPORT_DIR: an export to use (default: DIR's initial export).
import { selectBackend } from '@realm/backend';
import { initialExportDir } from '../../apps/pretrain/src/bootstrap.js';
import { maskRecord } from '../../apps/pretrain/src/generator.js';
import { embedCorpus, embedPacked, loadExportEmbedders } from '../../apps/pretrain/src/embedder-io.js';
import { ExactMipsIndex } from '@realm/mips';
import { createRng, packQuery } from '@realm/tokenizer';
import { readPretrainConfig } from '../../apps/pretrain/src/config.js';
import { runLayout } from '../../apps/pretrain/src/layout.js';
import { loadPretrainRecords, loadRetrievalCorpus, loadTokenizer } from '../../apps/pretrain/src/corpus.js';
await selectBackend({ log: () => {} });
const dir = process.argv[2];
if (!dir) throw new Error('retrieval-misses: give a pretrain run directory');
const layout = runLayout(dir);
const config = await readPretrainConfig(layout.config);
const tokenizer = await loadTokenizer(layout);
const special = tokenizer.vocab.specialTokenIds();
const blocks = await loadRetrievalCorpus(layout.retrievalShards);
const heldout = await loadPretrainRecords(layout.pretrainHeldoutShards);
const embedders = await loadExportEmbedders(process.argv[3] ?? initialExportDir(layout));
const vectors = await embedCorpus(embedders.documentEmbedder, blocks, special, { seqLen: config.dims.candidateSeqLen, batchSize: 64 });
const index = new ExactMipsIndex(vectors.length / blocks.length, { threads: 1 });
index.add(vectors);
const rng = createRng(1);
const title = (b: { titleIds: ArrayLike<number> }) => tokenizer.convertIdsToTokens(Array.from(b.titleIds)).join(' ');
let hit = 0, n = 0; const byKind: Record<string, [number, number]> = {};
const misses: string[] = [];
for (const record of heldout) {
  const q = maskRecord(record, config, tokenizer, rng); if (!q.ok) continue;
  const ids = process.env.DROP_MASK ? q.maskedIds.filter((x: number) => x !== special.mask) : q.maskedIds; const p = packQuery(ids, special, config.dims.querySeqLen);
  const v = await embedPacked(embedders.queryEmbedder, [{ tokenIds: p.tokenIds, mask: p.inputMask, segmentIds: p.segmentIds }], config.dims.querySeqLen);
  const found = await index.search(v, 1);
  const top = blocks[found.ids[0]];
  const gold = tokenizer.tokenize(record.title).join(' ');
  const ok = title(top) === gold;
  const text = tokenizer.convertIdsToTokens(q.maskedIds.filter((x: number) => x !== 0)).join(' ');
  // The relation, from the world's template words (a rough grouping for this report only).
  const kind = (record.text.match(/born|native|birthplace/) ? 'birth' : record.text.match(/year|In \d|\d{4}/) ? 'year' : record.text.match(/employ|worked for|At |employer/) ? 'employer' : record.text.match(/mentor|trained under|student of|guidance/) ? 'mentor' : record.text.match(/profession|as a|as an|trade|occupation|living/) ? 'occupation' : 'other');
  byKind[kind] ??= [0, 0]; byKind[kind][0] += ok ? 1 : 0; byKind[kind][1]++;
  hit += ok ? 1 : 0; n++;
  if (!ok && misses.length < 25) misses.push(`${text}  || gold ${gold} || top ${title(top)}: ${tokenizer.convertIdsToTokens(top.bodyIds).join(' ').slice(0, 150)}`);
}
console.log(`top-1 ${hit}/${n} = ${(hit / n).toFixed(3)}`, JSON.stringify(byKind));
for (const m of misses) console.log(m);
