import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NativeLogFilter } from '../../../src/trainer/native-log-filter';

const preInit = 'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR';
const oneDnn = 'I0000 00:00:1796185634.947890   29519 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results.';
const tfWarning = 'W1202 04:31:07.123456    812 cpu_feature_guard.cc:210] This TensorFlow binary is optimized to use available CPU instructions.';
const tfError = 'E1202 04:31:07.123456    812 cuda_driver.cc:152] failed call to cuInit: UNKNOWN ERROR';

test('TensorFlow\'s load-time info and warning lines are dropped, split across chunks or not; errors and other text pass', () => {
  const filter = new NativeLogFilter();
  const text = `${preInit}\n${oneDnn}\nthreads: the gradient worker did not start\n${tfWarning}\n${tfError}\ncorrupted size vs. prev_size\n`;
  // Chunks cut in the middle of lines, as pipes deliver them.
  let kept = '';
  for (let i = 0; i < text.length; i += 17) kept += filter.push(text.slice(i, i + 17));
  kept += filter.flush();
  assert.equal(kept, `threads: the gradient worker did not start\n${tfError}\ncorrupted size vs. prev_size\n`);
});

test('an unfinished last line is kept at exit', () => {
  const filter = new NativeLogFilter();
  assert.equal(filter.push('Error: out of memory'), '');
  assert.equal(filter.flush(), 'Error: out of memory');
  assert.equal(filter.flush(), '');
});
