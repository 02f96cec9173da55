// The vscode integration suite (test/vscode/suite.ts) inside code-server's extension host, so that it
// runs where @vscode/test-electron cannot download desktop VS Code. code-server has no
// --extensionDevelopmentPath: the built extension is copied into the extensions dir, and the runner
// extension beside it calls the suite's runChecks() and writes the results to a file we wait for.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { installBuiltExtension, openWorkbench, repoRoot, type WorkbenchSession } from '../e2e/workbench-session';

const SUITE = join(repoRoot, 'out/test/vscode-suite.js');
const RESULTS_TIMEOUT_MS = 8 * 60_000;

interface SuiteResults {
  passed: number;
  failed: number;
  checks: { name: string; passed: boolean; error?: string; ms: number }[];
  error?: string;
  log: string[];
}

let session: WorkbenchSession | undefined;
let failed = false;

before(() => {
  if (!existsSync(join(repoRoot, 'dist/extension.js'))) {
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: repoRoot, stdio: 'inherit' });
    assert.equal(build.status, 0, 'node scripts/build.mjs');
  }
  // The suite is test code: bundled on its own, fresh for every run.
  const suite = spawnSync(process.execPath, ['scripts/build.mjs', '--suite'], { cwd: repoRoot, stdio: 'inherit' });
  assert.equal(suite.status, 0, 'node scripts/build.mjs --suite');
});

after(async () => {
  if (session && failed) {
    // Keep the logs of a failed run (code-server, extension host) as test artifacts.
    const artifacts = join(repoRoot, 'test-results/in-code-server');
    mkdirSync(artifacts, { recursive: true });
    cpSync(session.server.logFile, join(artifacts, 'code-server.log'));
    if (existsSync(join(session.userDataDir, 'logs'))) cpSync(join(session.userDataDir, 'logs'), join(artifacts, 'logs'), { recursive: true });
    await session.page.screenshot({ path: join(artifacts, 'workbench.png') }).catch(() => undefined);
  }
  const orphans = (await session?.close()) ?? [];
  assert.deepEqual(orphans, [], 'no process started by code-server outlives it (extension host, trainer)');
});

async function waitForFile(file: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!existsSync(file)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return true;
}

test('the vscode integration suite passes inside code-server', { timeout: RESULTS_TIMEOUT_MS + 3 * 60_000 }, async (t) => {
  let resultsFile = '';
  session = await openWorkbench({
    installExtensions(extensionsDir) {
      installBuiltExtension(extensionsDir);
      const runner = join(extensionsDir, 'autoencoder-lab.test-runner-0.0.1');
      cpSync(join(repoRoot, 'test/vscode/runner-extension'), runner, { recursive: true });
      resultsFile = join(extensionsDir, '..', 'suite-results.json');
      // Inside the runner's folder, the suite's require('vscode') resolves to the runner's own API object.
      cpSync(SUITE, join(runner, 'vscode-suite.js'));
      writeFileSync(join(runner, 'runner-config.json'), JSON.stringify({ suite: join(runner, 'vscode-suite.js'), results: resultsFile }));
    },
  });
  failed = true;
  const arrived = await waitForFile(resultsFile, RESULTS_TIMEOUT_MS);
  assert.ok(arrived, `the runner extension wrote ${resultsFile} within ${RESULTS_TIMEOUT_MS / 1000} s (log: ${session.server.logFile})`);
  const results = JSON.parse(readFileSync(resultsFile, 'utf8')) as SuiteResults;
  for (const line of results.log.join('\n').split('\n')) t.diagnostic(line);
  assert.equal(results.error, undefined, `the suite loaded and ran: ${results.error}`);
  for (const check of results.checks) {
    await t.test(check.name, () => {
      assert.ok(check.passed, check.error);
    });
  }
  assert.equal(results.failed, 0, `${results.failed} checks failed`);
  assert.ok(results.checks.length >= 4, `every check ran (${results.checks.length})`);
  failed = false;
});
