/**
 * Lists an image folder the way torchvision's ImageFolder reads it: `root/<class>/<image>` (any
 * depth below the class folder) gives each image the index of its class among the sorted class
 * folder names — or, when the root holds `labels.txt`/`classes.txt` (one class name a line), the
 * index of its line, the order the model was trained with. Images directly in the root (or a
 * single image file) are unlabelled. Nothing is decoded here; nothing is dropped silently.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AdvisorError } from '../../errors';
import { isImageName } from './codecs';

export interface ImageEntry {
  file: string;
  bytes: number;
  /** Class index, when the folder layout gives one. */
  label?: number;
}

export interface ImageListing {
  root: string;
  entries: ImageEntry[];
  /** Class names by index (folder names, or the lines of labels.txt/classes.txt). */
  classes?: string[];
  /** Where the class order came from. */
  classOrder?: 'sorted folder names' | 'labels.txt' | 'classes.txt';
  warnings: string[];
}

const CLASS_FILES = ['labels.txt', 'classes.txt'] as const;
/** Files listed by name in a warning before "and N more". */
const NAMED = 5;

/** Python's sorted() on str: by UTF-16 code unit, which equals code point order for class names. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const natural = new Intl.Collator('en', { numeric: true }).compare;

export function namedList(files: string[], root: string): string {
  const rel = files.slice(0, NAMED).map((f) => path.relative(root, f) || path.basename(f));
  return rel.join(', ') + (files.length > NAMED ? ` and ${files.length - NAMED} more` : '');
}

export function listImages(target: string): ImageListing {
  let st: fs.Stats;
  try { st = fs.statSync(target); } catch { throw new AdvisorError('input', 'data file or folder not found', target); }
  if (st.isFile()) {
    if (!isImageName(target)) throw new AdvisorError('input', 'not an image file (JPEG, PNG, WebP, BMP or GIF)', target);
    return { root: path.dirname(target), entries: [{ file: target, bytes: st.size }], warnings: [] };
  }
  const warnings: string[] = [];
  const others: string[] = [];
  const rootImages: ImageEntry[] = [];
  const dirs: string[] = [];
  for (const d of fs.readdirSync(target, { withFileTypes: true })) {
    const p = path.join(target, d.name);
    if (d.isDirectory()) dirs.push(d.name);
    else if (isImageName(d.name)) rootImages.push({ file: p, bytes: fs.statSync(p).size });
    else if (!CLASS_FILES.includes(d.name as (typeof CLASS_FILES)[number])) others.push(p);
  }
  const classFile = CLASS_FILES.find((f) => fs.existsSync(path.join(target, f)));
  let classes: string[] | undefined;
  let classOrder: ImageListing['classOrder'];
  if (classFile) {
    classes = fs.readFileSync(path.join(target, classFile), 'utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
    if (new Set(classes).size !== classes.length) throw new AdvisorError('input', 'names a class twice', path.join(target, classFile));
    classOrder = classFile;
  } else if (dirs.length > 0) {
    classes = [...dirs].sort(byCodeUnit);
    classOrder = 'sorted folder names';
  }
  const entries: ImageEntry[] = [];
  const empty: string[] = [];
  const unknown: string[] = [];
  for (const dir of [...dirs].sort(byCodeUnit)) {
    const files = walk(path.join(target, dir), others);
    const label = classes?.indexOf(dir) ?? -1;
    if (label < 0) {
      if (files.length) unknown.push(`${dir}/ (${files.length} image${files.length > 1 ? 's' : ''})`);
      continue;
    }
    if (files.length === 0) empty.push(dir);
    for (const f of files) entries.push({ ...f, label });
  }
  if (rootImages.length > 0 && dirs.length > 0) {
    warnings.push(`${rootImages.length} image${rootImages.length > 1 ? 's' : ''} directly in ${target} belong to no class folder and are skipped: ${namedList(rootImages.map((e) => e.file), target)}`);
  } else if (rootImages.length > 0) {
    entries.push(...rootImages.sort((a, b) => natural(a.file, b.file)));
  }
  if (others.length) warnings.push(`${others.length} file${others.length > 1 ? 's are' : ' is'} not an image by name and skipped: ${namedList(others, target)}`);
  if (empty.length) warnings.push(`class folder${empty.length > 1 ? 's' : ''} ${empty.map((d) => `"${d}"`).join(', ')} ha${empty.length > 1 ? 've' : 's'} no images (their class indices are kept, so the others keep theirs)`);
  if (unknown.length) warnings.push(`folder${unknown.length > 1 ? 's' : ''} not named in ${classFile}, skipped: ${unknown.join(', ')}`);
  if (entries.length === 0) {
    throw new AdvisorError('input', `no images found (JPEG, PNG, WebP, BMP or GIF${dirs.length ? ', in class folders root/<class>/<image>' : ''})`, target);
  }
  return { root: target, entries, ...(classes ? { classes, classOrder } : {}), warnings };
}

/** Images below `dir`, recursively, in natural name order; other files go to `others`. */
function walk(dir: string, others: string[]): ImageEntry[] {
  const out: ImageEntry[] = [];
  for (const d of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => natural(a.name, b.name))) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) out.push(...walk(p, others));
    else if (isImageName(d.name)) out.push({ file: p, bytes: fs.statSync(p).size });
    else others.push(p);
  }
  return out;
}

/** True when `target` is an image file or a folder holding images (directly or in class folders). */
export function looksLikeImages(target: string): boolean {
  try {
    const st = fs.statSync(target);
    if (st.isFile()) return isImageName(target);
    for (const d of fs.readdirSync(target, { withFileTypes: true })) {
      if (d.isFile() && isImageName(d.name)) return true;
      if (d.isDirectory()) {
        const inner = fs.readdirSync(path.join(target, d.name), { withFileTypes: true });
        if (inner.some((e) => e.isFile() && isImageName(e.name))) return true;
        if (inner.some((e) => e.isDirectory()) && !inner.some((e) => e.name.endsWith('.npy'))) {
          if (walk(path.join(target, d.name), []).length > 0) return true;
        }
      }
    }
  } catch { /* not there: the loader reports it */ }
  return false;
}

/** Evenly spaced indices 0..n-1, `k` of them: a capped subset that still spans every class. */
export function evenlySpaced(n: number, k: number): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
}
