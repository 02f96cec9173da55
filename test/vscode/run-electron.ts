// `npm run test:vscode`: the integration suite in desktop VS Code through @vscode/test-electron.
// test-electron downloads VS Code; where that download fails (machines without internet, like CI here)
// this says so and runs the very same suite inside code-server instead (test/vscode/in-code-server.test.ts).
// Set VSCODE_EXECUTABLE to use an installed desktop VS Code (the Electron binary) without downloading.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';

const repoRoot = join(__dirname, '..', '..');
const VSCODE_VERSION = '1.100.3'; // the engine the extension targets, same as code-server 4.100.3

async function desktopVSCode(): Promise<string | undefined> {
  if (process.env.VSCODE_EXECUTABLE) return process.env.VSCODE_EXECUTABLE;
  try {
    return await downloadAndUnzipVSCode({ version: VSCODE_VERSION, cachePath: join(repoRoot, '.cache/vscode-test'), timeout: 20_000 });
  } catch (error) {
    console.log(`test:vscode: desktop VS Code ${VSCODE_VERSION} could not be downloaded (${error instanceof Error ? error.message : String(error)}).`);
    return undefined;
  }
}

function runInCodeServer(): number {
  console.log('test:vscode: running the same suite inside code-server\'s extension host instead.');
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', 'test/vscode/in-code-server.test.ts'], { cwd: repoRoot, stdio: 'inherit' });
  return result.status ?? 1;
}

async function runInDesktop(executable: string): Promise<number> {
  const root = mkdtempSync(join(tmpdir(), 'autoencoder-lab-electron-'));
  const workspace = join(root, 'workspace');
  cpSync(join(repoRoot, 'samples'), workspace, { recursive: true, filter: (source) => !source.includes('.autoencoder-lab') });
  try {
    return await runTests({
      vscodeExecutablePath: executable,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: join(repoRoot, 'out/test/vscode-suite.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', join(root, 'user-data')],
    });
  } catch (error) {
    console.error(`test:vscode: the suite failed in desktop VS Code: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const executable = await desktopVSCode();
  process.exitCode = executable ? await runInDesktop(executable) : runInCodeServer();
}

void main();
