// The output directory of one fine-tuning run (orqa_experiment.py's model_dir, plus the knowledge
// base it retrieves from so that eval/ask/index need nothing else).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ORQA_MODEL_FILES } from '@realm/model';

export interface FinetuneLayout {
  root: string;
  /** The resolved FinetuneConfig plus where the initial weights came from. */
  config: string;
  /** Versioned knowledge base: kb/<ts>/{blocks.tfr,titles.tfr,block_emb.ckpt,embedder,vocab.txt,kb.json}. */
  kb: string;
  /** saveOrqaModel directory of the best checkpoint by dev metric (replaced atomically). */
  best: string;
  /** checkpoints/ckpt-<step>/: the resumable training state (see resume.ts), the newest run.keepCheckpoints. */
  checkpoints: string;
  /** One JSON line per training step and per evaluation. */
  metrics: string;
  predictions: string;
  /** Final dev/test summaries. */
  results: string;
}

export function finetuneLayout(root: string): FinetuneLayout {
  return {
    root,
    config: join(root, 'config.json'),
    kb: join(root, 'kb'),
    best: join(root, 'best'),
    checkpoints: join(root, 'checkpoints'),
    metrics: join(root, 'log', 'metrics.jsonl'),
    predictions: join(root, 'predictions'),
    results: join(root, 'results.json'),
  };
}

/** The saved model a --model path names: a saveOrqaModel directory itself, or a run's best/. */
export function resolveModelDir(path: string): string {
  if (existsSync(join(path, ORQA_MODEL_FILES.config))) return path;
  const best = finetuneLayout(path).best;
  if (existsSync(join(best, ORQA_MODEL_FILES.config))) return best;
  throw new Error(`${path}: no fine-tuned ORQA model (expected ${ORQA_MODEL_FILES.config} or best/${ORQA_MODEL_FILES.config}; run \`realm finetune-orqa train --out ${path}\`)`);
}

/**
 * The knowledge base that goes with a model path: `<run>/kb` for a run or its best/, unless
 * `kbPath` names another (e.g. one grown with `realm index add`).
 */
export function resolveKbPathForModel(modelPath: string, kbPath?: string): string {
  if (kbPath !== undefined) return kbPath;
  const modelDir = resolveModelDir(modelPath);
  const runRoot = modelDir === finetuneLayout(modelPath).best ? modelPath : join(modelDir, '..');
  return finetuneLayout(runRoot).kb;
}
