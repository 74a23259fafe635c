/**
 * Model files on a device, content-addressed: each model goes to
 * ~/.cache/edge-advisor/models/<sha256>/model.onnx (its external-data files beside it under their own
 * relative names), so a model already there is never sent again and no local file name ever reaches
 * the remote shell. Hashes of local files are remembered by path, size and mtime.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { externalDataFiles, readModel } from '../../../core/onnx/io';
import type { DeviceTarget } from '../../../core/tiers/types';
import { CACHE_DIR } from './probe';
import { shq, sshRun } from './sshCommand';

interface LocalModel { key: string; files: { local: string; rel: string }[] }

const hashed = new Map<string, { stamp: string; model: LocalModel }>();

function stampOf(file: string): string {
  const st = fs.statSync(file);
  return `${st.size}:${st.mtimeMs}`;
}

/** The model and its external-data files, and one hash over all of them. */
function describe(file: string): LocalModel {
  const stamp = stampOf(file);
  const known = hashed.get(file);
  if (known && known.stamp === stamp) return known.model;
  const files = [{ local: file, rel: 'model.onnx' }, ...externalDataFiles(readModel(file)).map((f) => ({ local: f.path, rel: f.location }))];
  const h = createHash('sha256');
  for (const f of files) h.update(`${f.rel}\0`).update(fs.readFileSync(f.local));
  const model = { key: h.digest('hex').slice(0, 32), files };
  hashed.set(file, { stamp, model });
  return model;
}

export interface ModelSync {
  /** Remote path of each local model, sending what the device lacks. */
  place(localPaths: readonly string[], signal?: AbortSignal): Promise<Map<string, string>>;
  /** Bytes sent so far (0 on a second run with the same models). */
  readonly sentBytes: number;
}

export function modelSync(target: DeviceTarget, home: string): ModelSync {
  const root = `${home}/${CACHE_DIR}/models`;
  /** Keys known to be complete on the device (checked or sent in this session). */
  const present = new Set<string>();
  let sentBytes = 0;
  return {
    get sentBytes() { return sentBytes; },
    async place(localPaths, signal) {
      const models = new Map(localPaths.map((p) => [p, describe(p)]));
      const unknown = [...new Set([...models.values()].map((m) => m.key))].filter((k) => !present.has(k));
      if (unknown.length) {
        // keys are hex digests: safe to list in the script as they are
        const r = await sshRun(target, `r=${shq(root)}; for k in ${unknown.join(' ')}; do [ -f "$r/$k/.complete" ] && echo "$k"; done; exit 0`,
          { what: 'listing models on the device', ...(signal ? { signal } : {}) });
        for (const k of r.stdout.toString().split('\n')) if (k) present.add(k);
      }
      for (const m of new Set(models.values())) {
        if (present.has(m.key)) continue;
        for (const f of m.files) {
          // the relative name comes from the model (checked to stay inside its folder) and reaches
          // the shell quoted, as the value of a variable
          await sshRun(target, `set -e; d=${shq(`${root}/${m.key}.partial`)}; f=${shq(f.rel)}; mkdir -p "$d/$(dirname "$f")"; cat > "$d/$f"`,
            { input: fs.createReadStream(f.local), timeoutMs: 30 * 60_000, what: `sending ${path.basename(f.local)}`, ...(signal ? { signal } : {}) });
          sentBytes += fs.statSync(f.local).size;
        }
        await sshRun(target, `set -e; d=${shq(`${root}/${m.key}`)}; touch "$d.partial/.complete"; rm -rf "$d"; mv "$d.partial" "$d"`,
          { what: 'storing the model on the device', ...(signal ? { signal } : {}) });
        present.add(m.key);
      }
      return new Map([...models].map(([p, m]) => [p, `${root}/${m.key}/model.onnx`]));
    },
  };
}
