// A minimal language pack, made by the test, so that a real workbench runs in another display language.
// VS Code switches to a locale only when an installed language pack contributes it (code-server with
// `--locale zh-cn` and no pack stays English, and so do vscode.l10n and package.nls.*.json). Its
// translations file is empty: the workbench's own strings stay English, the extension's are translated.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installExtension } from '../../scripts/code-server.mjs';
import { repoRoot } from './workbench-session';

export interface LanguagePack {
  languageId: string;
  languageName: string;
  localizedLanguageName: string;
}

export const SIMPLIFIED_CHINESE: LanguagePack = { languageId: 'zh-cn', languageName: 'Chinese (Simplified)', localizedLanguageName: '中文(简体)' };

const PUBLISHER = 'autoencoder-lab-test';

/** Writes the language pack's folder under `dir` and packages it with vsce; resolves to the .vsix path. */
export function packageLanguagePack(pack: LanguagePack, dir: string): string {
  const folder = join(dir, `language-pack-${pack.languageId}`);
  mkdirSync(join(folder, 'translations'), { recursive: true });
  const manifest = {
    name: `language-pack-${pack.languageId}`,
    displayName: `Test language pack (${pack.languageName})`,
    publisher: PUBLISHER,
    version: '0.0.1',
    license: 'MIT',
    engines: { vscode: '^1.100.0' },
    categories: ['Language Packs'],
    files: ['translations'],
    contributes: {
      localizations: [{ ...pack, translations: [{ id: 'vscode', path: './translations/main.i18n.json' }] }],
    },
  };
  writeFileSync(join(folder, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(folder, 'translations', 'main.i18n.json'), JSON.stringify({ version: '1.0.0', contents: {} }));
  const vsix = join(dir, `language-pack-${pack.languageId}.vsix`);
  const vsce = join(repoRoot, 'node_modules/@vscode/vsce/vsce');
  const args = [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', vsix];
  const result = spawnSync(process.execPath, args, { cwd: folder, encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`vsce package of the ${pack.languageId} language pack in ${folder} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  return vsix;
}

interface InstalledExtension {
  identifier: { id: string; uuid?: string };
  version: string;
  relativeLocation?: string;
  location?: { fsPath?: string };
}

interface Localization {
  languageId: string;
  languageName?: string;
  localizedLanguageName?: string;
  translations: { id: string; path: string }[];
}

/**
 * Installs the language pack's .vsix with code-server's CLI and makes it the display language.
 *
 * code-server 4.100.3's `--install-extension` installs the pack but never writes `languagepacks.json`
 * (its CLI creates the language pack service lazily, so the install participant that writes the file
 * never runs: coder/code-server#3372, microsoft/vscode#237663), and without that file the locale is
 * ignored. So it is written here from what the CLI installed, in the shape and with the hash VS Code's
 * LanguagePacksCache gives it. The locale goes into `User/argv.json`, as "Configure Display Language"
 * does; code-server reads it there when no `--locale` is given.
 */
export async function installLanguagePack(vsix: string, extensionsDir: string, userDataDir: string): Promise<void> {
  await installExtension(vsix, extensionsDir, userDataDir);
  const installed = JSON.parse(readFileSync(join(extensionsDir, 'extensions.json'), 'utf8')) as InstalledExtension[];
  const registry = readLanguagePacks(userDataDir);
  let locale: string | undefined;
  for (const extension of installed.filter((entry) => entry.identifier.id.startsWith(`${PUBLISHER}.language-pack-`))) {
    const location = extension.relativeLocation ? join(extensionsDir, extension.relativeLocation) : extension.location?.fsPath;
    if (!location) throw new Error(`${join(extensionsDir, 'extensions.json')}: ${extension.identifier.id} has no location`);
    const manifest = JSON.parse(readFileSync(join(location, 'package.json'), 'utf8')) as { contributes?: { localizations?: Localization[] } };
    for (const localization of manifest.contributes?.localizations ?? []) {
      const translations = Object.fromEntries(localization.translations.map((entry) => [entry.id, join(location, entry.path)]));
      const hash = createHash('md5').update(extension.identifier.uuid ?? extension.identifier.id).update(extension.version).digest('hex');
      registry[localization.languageId] = {
        hash,
        extensions: [{ extensionIdentifier: extension.identifier, version: extension.version }],
        translations,
        label: localization.localizedLanguageName ?? localization.languageName,
      };
      locale = localization.languageId;
    }
  }
  if (!locale) throw new Error(`${vsix}: code-server installed no language pack from it into ${extensionsDir}`);
  writeFileSync(join(userDataDir, 'languagepacks.json'), JSON.stringify(registry));
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'argv.json'), JSON.stringify({ locale }, null, 2));
}

function readLanguagePacks(userDataDir: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(userDataDir, 'languagepacks.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
