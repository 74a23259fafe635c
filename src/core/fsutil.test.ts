import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AdvisorError } from './errors';
import { atomicWriteFile, ensureWritableDir, writeError } from './fsutil';

test('a write that cannot happen is an input error naming the target and the cause; nothing is left behind', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fsutil-'));
  try {
    const file = path.join(dir, 'model.onnx');
    fs.writeFileSync(file, 'x');
    const target = path.join(file, 'report.json'); // "inside" a file
    assert.throws(() => atomicWriteFile(target, '{}'), (e: unknown) => e instanceof AdvisorError && e.category === 'input'
      && e.file === target && /part of its path is a file/.test(e.message) && /choose another output location/.test(e.message));
    assert.throws(() => ensureWritableDir(path.join(file, 'out')), /cannot write here/);
    assert.deepEqual(fs.readdirSync(dir), ['model.onnx'], 'no temp file left');
    ensureWritableDir(path.join(dir, 'a', 'b'));
    assert.ok(fs.statSync(path.join(dir, 'a', 'b')).isDirectory(), 'a missing folder is created');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('permission and disk errors read as such; anything else passes through unchanged', () => {
  const errno = (code: string) => Object.assign(new Error(code), { code });
  assert.match(String((writeError(errno('EACCES'), '/x') as Error).message), /\/x: cannot write here: permission denied/);
  assert.match(String((writeError(errno('ENOSPC'), '/x') as Error).message), /no space left/);
  const other = errno('EIO');
  assert.equal(writeError(other, '/x'), other);
});
