// Maps variable names found in other people's files onto our canonical tree names: TF checkpoints
// (google-research/bert names, possibly nested in REALM/ORQA TF-Hub `module/` scopes) and Hugging
// Face state dicts (BertModel / BertForPreTraining / REALM). Ports the renaming rules of
// HF load_tf_weights_in_realm and qqaatw/pytorch-realm-orqa checkpoint_converter (orqa-spec §4.5).
import { PROJECTION_NAMES } from './variables.js';

/** Where one canonical variable comes from. */
export interface MappedName {
  /** Name in the source file. */
  source: string;
  /** True for HF Linear weights [out, in], which become TF kernels [in, out]. */
  transpose: boolean;
}

/** The outcome of mapping a file's names. */
export interface NameMapping {
  /** The scope (TF) or module prefix (HF) under which the BERT variables were found. */
  scope: string;
  /** Canonical name → source. */
  mapped: Map<string, MappedName>;
  /** Source names that are not model variables by design: optimizer slots, step counters, buffers, tied copies. */
  ignored: string[];
  /** Source names that do not map to any canonical variable (other heads, other models). */
  unrecognized: string[];
}

const BERT_WORD_EMBEDDINGS = 'bert/embeddings/word_embeddings';
const PROJECTION_SUFFIXES: ReadonlyMap<string, string> = new Map([
  ['dense/kernel', PROJECTION_NAMES.kernel],
  ['dense/bias', PROJECTION_NAMES.bias],
  ['LayerNorm/gamma', PROJECTION_NAMES.gamma],
  ['LayerNorm/beta', PROJECTION_NAMES.beta],
  // Keras LayerNormalization's own scope name, in case a module kept it.
  ['layer_normalization/gamma', PROJECTION_NAMES.gamma],
  ['layer_normalization/beta', PROJECTION_NAMES.beta],
]);

/** Optimizer state and bookkeeping that TF checkpoints carry beside the model variables. */
export function isTfNonModelVariable(name: string): boolean {
  if (name === 'global_step' || name === '_CHECKPOINTABLE_OBJECT_GRAPH' || /(^|\/)beta[12]_power$/.test(name)) return true;
  return /\/(adam_m|adam_v|Adam|Adam_1|Momentum|Adagrad|RMSProp|RMSProp_1|ExponentialMovingAverage)$/.test(name) || name.startsWith('AdamWeightDecayOptimizer');
}

/** Scopes under which a TF checkpoint holds a BERT (the prefix before bert/embeddings/word_embeddings). */
export function tfBertScopes(names: readonly string[]): string[] {
  return names
    .filter((n) => n.endsWith(BERT_WORD_EMBEDDINGS) && !isTfNonModelVariable(n))
    .map((n) => n.slice(0, n.length - BERT_WORD_EMBEDDINGS.length))
    .filter((scope) => scope === '' || scope.endsWith('/'));
}

/**
 * Maps TF checkpoint names. `scope` selects which BERT to read when a checkpoint holds several
 * (an ORQA fine-tuned checkpoint has `reader/module/` and `module/module/module/`); by default the
 * one scope that holds bert/embeddings/word_embeddings is used, and several are an error.
 *
 * Under the scope, `bert/…`, `cls/…` and `projection/…` (our own files) map one-to-one. The REALM/ORQA
 * embedder projection lives one hub level up from its BERT (ict_model.py wraps the BERT hub module,
 * so BERT sits at `<P>module/bert/…` and the projection at `<P>dense/…`, `<P>LayerNorm/…`); it is
 * looked for there only when the scope is a chain of `module/` levels, because elsewhere (e.g.
 * `reader/dense`) a dense layer beside the BERT is some other head.
 */
export function mapTfCheckpointNames(names: readonly string[], options: { scope?: string } = {}): NameMapping {
  let scope = options.scope;
  if (scope === undefined) {
    const scopes = tfBertScopes(names);
    if (scopes.length === 0) throw new Error(`no BERT variables in the checkpoint: no name ends in "${BERT_WORD_EMBEDDINGS}" (${names.length} names)`);
    if (scopes.length > 1) {
      throw new Error(`the checkpoint holds ${scopes.length} BERT models, under scopes ${scopes.map((s) => JSON.stringify(s)).join(', ')}; choose one with scope`);
    }
    scope = scopes[0];
  }
  if (scope !== '' && !scope.endsWith('/')) scope = `${scope}/`;
  const hubParent = /^(module\/)+$/.test(scope) ? scope.slice(0, scope.length - 'module/'.length) : undefined;
  const mapped = new Map<string, MappedName>();
  const ignored: string[] = [];
  const unrecognized: string[] = [];
  const claim = (canonical: string, source: string): void => {
    const previous = mapped.get(canonical);
    if (previous) throw new Error(`both "${previous.source}" and "${source}" map to BERT variable "${canonical}"`);
    mapped.set(canonical, { source, transpose: false });
  };
  for (const name of names) {
    if (isTfNonModelVariable(name)) {
      ignored.push(name);
      continue;
    }
    if (name.startsWith(scope)) {
      const rest = name.slice(scope.length);
      if (/^(bert|cls\/predictions|cls\/seq_relationship|projection)\//.test(rest)) {
        claim(rest, name);
        continue;
      }
    }
    if (hubParent !== undefined && name.startsWith(hubParent)) {
      const projection = PROJECTION_SUFFIXES.get(name.slice(hubParent.length));
      if (projection) {
        claim(projection, name);
        continue;
      }
    }
    unrecognized.push(name);
  }
  return { scope, mapped, ignored, unrecognized };
}

const HF_WORD_EMBEDDINGS = 'embeddings.word_embeddings.weight';

/** Canonical name of one HF parameter path relative to the BERT root (e.g. `encoder.layer.3.output.dense.weight`). */
function hfBertPath(rest: string): { canonical: string; transpose: boolean } | undefined {
  const parts = rest.split('.');
  const leaf = parts.pop();
  if (leaf === undefined || parts.length === 0) return undefined;
  const path: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === 'layer' && parts[i - 1] === 'encoder' && /^\d+$/.test(parts[i + 1] ?? '')) {
      path.push(`layer_${parts[i + 1]}`);
      i++;
    } else {
      path.push(parts[i]);
    }
  }
  const last = path[path.length - 1];
  if (last === 'LayerNorm') {
    if (leaf === 'weight' || leaf === 'gamma') return { canonical: `${path.join('/')}/gamma`, transpose: false };
    if (leaf === 'bias' || leaf === 'beta') return { canonical: `${path.join('/')}/beta`, transpose: false };
    return undefined;
  }
  if (last.endsWith('_embeddings')) return leaf === 'weight' ? { canonical: path.join('/'), transpose: false } : undefined;
  if (leaf === 'weight') return { canonical: `${path.join('/')}/kernel`, transpose: true };
  if (leaf === 'bias') return { canonical: `${path.join('/')}/bias`, transpose: false };
  return undefined;
}

/**
 * Maps Hugging Face state-dict names (safetensors keys). The BERT root is the prefix before
 * `embeddings.word_embeddings.weight` ("" for BertModel, "bert." for BertForPreTraining,
 * "embedder.realm." for RealmForOpenQA's retriever); `scope` picks one when several exist. Heads sit
 * beside the root: `cls.predictions.*` (MLM; `cls.predictions.bias` is output_bias, the decoder is
 * tied to the word embeddings and skipped) and, for REALM embedders, `cls.dense.*` / `cls.LayerNorm.*`
 * (the projection). Linear weights [out, in] are transposed to kernels [in, out].
 */
export function mapHuggingFaceNames(names: readonly string[], options: { scope?: string } = {}): NameMapping {
  let root = options.scope;
  if (root === undefined) {
    const roots = names.filter((n) => n.endsWith(HF_WORD_EMBEDDINGS)).map((n) => n.slice(0, n.length - HF_WORD_EMBEDDINGS.length));
    if (roots.length === 0) throw new Error(`no BERT weights: no name ends in "${HF_WORD_EMBEDDINGS}" (${names.length} names)`);
    if (roots.length > 1) throw new Error(`the file holds ${roots.length} BERT models, under ${roots.map((s) => JSON.stringify(s)).join(', ')}; choose one with scope`);
    root = roots[0];
  }
  if (root !== '' && !root.endsWith('.')) root = `${root}.`;
  // "embedder.realm." → "embedder."; "bert." → ""; "" → "".
  const headPrefix = root === '' ? '' : root.slice(0, root.slice(0, -1).lastIndexOf('.') + 1);
  const mapped = new Map<string, MappedName>();
  const ignored: string[] = [];
  const unrecognized: string[] = [];
  const claim = (canonical: string, source: string, transpose: boolean): void => {
    const previous = mapped.get(canonical);
    if (previous) throw new Error(`both "${previous.source}" and "${source}" map to BERT variable "${canonical}"`);
    mapped.set(canonical, { source, transpose });
  };
  for (const name of names) {
    if (name.startsWith(root)) {
      const rest = name.slice(root.length);
      if (rest === 'embeddings.position_ids' || rest === 'embeddings.token_type_ids') {
        ignored.push(name); // registered buffers, not weights
        continue;
      }
      const bert = hfBertPath(rest);
      if (bert && /^(embeddings|encoder|pooler)\//.test(bert.canonical)) {
        claim(`bert/${bert.canonical}`, name, bert.transpose);
        continue;
      }
    }
    if (name.startsWith(`${headPrefix}cls.`)) {
      const rest = name.slice(headPrefix.length + 'cls.'.length);
      if (rest === 'predictions.bias') {
        claim('cls/predictions/output_bias', name, false);
        continue;
      }
      if (rest === 'predictions.decoder.weight' || rest === 'predictions.decoder.bias') {
        ignored.push(name); // tied to the word embeddings and to predictions.bias
        continue;
      }
      const head = hfBertPath(rest);
      if (head && head.canonical.startsWith('predictions/transform/')) {
        claim(`cls/${head.canonical}`, name, head.transpose);
        continue;
      }
      if (rest === 'seq_relationship.weight' || rest === 'seq_relationship.bias') {
        // HF keeps the NSP Linear as [2, H] weight = TF output_weights as stored (no transpose).
        claim(`cls/seq_relationship/output_${rest.endsWith('weight') ? 'weights' : 'bias'}`, name, false);
        continue;
      }
      if (head && /^(dense|LayerNorm)\//.test(head.canonical)) {
        claim(`projection/${head.canonical}`, name, head.transpose);
        continue;
      }
    }
    unrecognized.push(name);
  }
  return { scope: root, mapped, ignored, unrecognized };
}
