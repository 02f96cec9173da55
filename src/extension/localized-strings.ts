import * as vscode from 'vscode';
import { LAB_STRINGS } from '../protocol/lab-strings';

let cached: Record<string, string> | undefined;

/**
 * The webviews' UI strings in VS Code's display language: each English text of lab-strings.ts
 * through vscode.l10n.t (the English text is the key of l10n/bundle.l10n.<language>.json).
 * The language cannot change without a window reload, so one translation per activation suffices.
 */
export function localizedLabStrings(): Record<string, string> {
  if (!cached) {
    cached = {};
    for (const [key, english] of Object.entries(LAB_STRINGS)) cached[key] = vscode.l10n.t(english);
  }
  return cached;
}
