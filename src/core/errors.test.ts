import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdvisorError } from './errors';

test('messages stay on one line even when they quote names with control characters', () => {
  // a node name read from a hostile model file
  const e = new AdvisorError('input', 'node "evil\nedge-advisor: all good\u001b[2K" has no op_type', 'm.onnx');
  assert.equal(e.message, 'm.onnx: node "evil\\nedge-advisor: all good\\u001b[2K" has no op_type');
  assert.ok(!/[\u0000-\u001f]/.test(e.message));
});
