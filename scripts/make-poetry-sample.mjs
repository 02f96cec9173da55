// Cuts samples/poetry/tang.txt from the npm package chinese-poetry 2.0.1 (MIT), which is not a
// dependency of this project:
//   (cd /tmp && npm pack chinese-poetry@2.0.1 && tar xzf chinese-poetry-2.0.1.tgz)
//   node scripts/make-poetry-sample.mjs /tmp/package
// One couplet (one entry of a poem's `paragraphs`) per line, in the package's order, from the first
// poems of dist/quantangshi/poet.tang.0.json (the Complete Tang Poems, traditional characters):
// couplets of at most 24 characters, without the package's marks for missing characters (□, {…}).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const LINES = 2000;
const packageDir = process.argv[2];
if (!packageDir) {
  console.error('usage: node scripts/make-poetry-sample.mjs <unpacked chinese-poetry package folder>');
  process.exit(2);
}
const poems = JSON.parse(readFileSync(join(packageDir, 'dist/quantangshi/poet.tang.0.json'), 'utf8'));
const lines = [];
for (const poem of poems) {
  for (const paragraph of poem.paragraphs) {
    const line = paragraph.trim();
    if (line.length > 0 && [...line].length <= 24 && !/[□{}]/.test(line) && lines.length < LINES) lines.push(line);
  }
}
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'samples', 'poetry', 'tang.txt'), lines.join('\n') + '\n');
console.log(`samples/poetry/tang.txt: ${lines.length} lines`);
