// Summarizes a V8 .cpuprofile (node --cpu-prof): self time per function, and inclusive time of the
// functions whose name matches --inclusive. Optionally only the last N seconds of the profile
// (the timed epoch of bench/measure-training.ts comes last).
//   node --import tsx bench/experiments/profile-summary.ts <file.cpuprofile> [--last 1.5] [--top 30] [--inclusive a,b,c]
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { last: { type: 'string' }, top: { type: 'string', default: '30' }, inclusive: { type: 'string', default: '' } },
});
const profile = JSON.parse(readFileSync(positionals[0], 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const label = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${basename(n.callFrame.url || '')}:${n.callFrame.lineNumber + 1}`;

let t = profile.startTime;
const times = profile.timeDeltas.map((d) => (t += d));
const from = values.last ? profile.endTime - Number(values.last) * 1e6 : -Infinity;
const self = new Map<string, number>();
const byFile = new Map<string, number>();
const inclusivePatterns = values.inclusive.split(',').filter(Boolean);
const inclusive = new Map<string, number>();
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  if (times[i] < from) continue;
  const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
  total += dt;
  const node = byId.get(profile.samples[i])!;
  self.set(label(node), (self.get(label(node)) ?? 0) + dt);
  const file = node.callFrame.url.startsWith('wasm://') || /^wasm-function/.test(node.callFrame.functionName) ? '(wasm code)' : basename(node.callFrame.url || '') || node.callFrame.functionName;
  byFile.set(file, (byFile.get(file) ?? 0) + dt);
  const seen = new Set<string>();
  for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
    const name = byId.get(id)!.callFrame.functionName;
    for (const p of inclusivePatterns) if (name === p && !seen.has(p)) {
      seen.add(p);
      inclusive.set(p, (inclusive.get(p) ?? 0) + dt);
    }
  }
}
console.log(`total ${total.toFixed(0)} ms`);
for (const [name, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top))) {
  console.log(`${ms.toFixed(0).padStart(7)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
}
console.log('by file:');
for (const [name, ms] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${ms.toFixed(0).padStart(7)} ms ${((ms / total) * 100).toFixed(1).padStart(5)}%  ${name}`);
for (const [name, ms] of inclusive) console.log(`inclusive ${name}: ${ms.toFixed(0)} ms (${((ms / total) * 100).toFixed(1)}%)`);
