// The trainer's exports: export/tf_hub/<ts>/{bert,embedder} + global_step.txt + config.json, and
// export/tf_hub_best/<ts>/... when the eval metric improves, each published by one atomic rename.
// Ports LatestExporterWithSteps and BestModuleExporter (common/utils/exporters.py; realm-spec §1.1).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { storageFor } from '@realm/data';
import { saveRealmExport, type RealmModel } from '@realm/model';
import type { PretrainConfig } from './config.js';
import { nextTimestamp, pruneTimestamps } from './layout.js';

export const GLOBAL_STEP_FILE = 'global_step.txt';
export const EXPORT_CONFIG_FILE = 'config.json';

/**
 * Publishes `model` as `<root>/<ts>` (ts = Unix seconds, past the newest existing one) holding
 * bert/, embedder/, global_step.txt and the run config, then keeps the `keep` newest. Returns ts.
 */
export async function publishExport(root: string, model: RealmModel, globalStep: number, config: PretrainConfig, keep: number): Promise<number> {
  const timestamp = await nextTimestamp(root);
  const destination = join(root, String(timestamp));
  await (await storageFor(destination)).publishDirectory(destination, async (staging) => {
    await saveRealmExport(staging, model);
    await writeFile(join(staging, GLOBAL_STEP_FILE), `${globalStep}\n`);
    await writeFile(join(staging, EXPORT_CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  });
  await pruneTimestamps(root, keep);
  return timestamp;
}

/** The step an export was taken at; −1 when global_step.txt is missing or unparsable (as REALM). */
export async function readGlobalStep(exportDir: string): Promise<number> {
  try {
    const text = (await readFile(join(exportDir, GLOBAL_STEP_FILE), 'utf8')).trim();
    return /^[0-9]+$/.test(text) ? Number(text) : -1;
  } catch {
    return -1;
  }
}
