import * as vscode from 'vscode';

/**
 * Shows a run folder: in the OS file manager on a desktop, where that exists; in a browser
 * workbench (code-server, vscode.dev) or over a remote connection the OS is not the user's, so the
 * folder is revealed in VS Code's own Explorer instead.
 */
export async function revealFolder(folder: string): Promise<void> {
  const uri = vscode.Uri.file(folder);
  const local = vscode.env.uiKind === vscode.UIKind.Desktop && !vscode.env.remoteName;
  if (local) {
    try {
      await vscode.commands.executeCommand('revealFileInOS', uri);
      return;
    } catch {
      // fall through to the Explorer
    }
  }
  await vscode.commands.executeCommand('revealInExplorer', uri);
}
