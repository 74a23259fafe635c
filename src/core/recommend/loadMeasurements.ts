/** Reads and validates a measurements file (kept apart from the parser so the webview can import that without `fs`). */
import * as fs from 'node:fs';
import { AdvisorError } from '../errors';
import { parseMeasurements, type Measurements } from './measurements';

export function loadMeasurements(file: string): Measurements {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AdvisorError('input', code === 'ENOENT' ? 'measurements file not found' : `cannot read the measurements file (${code ?? String(e)})`, file);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AdvisorError('input', `not valid JSON: ${e instanceof Error ? e.message : String(e)}`, file);
  }
  return parseMeasurements(json, file);
}
