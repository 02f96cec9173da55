import * as vscode from 'vscode';
import type { LabController } from './lab-controller';

/**
 * A one-shot request to open the lab when a window opens: `npm start` writes
 * `.autoencoder-lab/open-lab.json` ({"dataset": "<path relative to the folder>"}) into the sample
 * workspace. The manifest's `workspaceContains:.autoencoder-lab/open-lab.json` activates the
 * extension only where such a request waits, so ordinary workspaces still activate on commands,
 * views and editors alone. The file is removed once read, so a reload does not open the lab again.
 */
export const OPEN_LAB_REQUEST = '.autoencoder-lab/open-lab.json';

export async function openLabIfRequested(lab: LabController, log: vscode.LogOutputChannel): Promise<void> {
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const requestUri = vscode.Uri.joinPath(folder.uri, OPEN_LAB_REQUEST);
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(requestUri));
    } catch {
      continue; // no request in this folder
    }
    await vscode.workspace.fs.delete(requestUri).then(undefined, (error: unknown) => log.warn(`could not remove ${requestUri.fsPath}: ${String(error)}`));
    const dataset = parseRequest(text);
    if (dataset === undefined) {
      log.warn(`${requestUri.fsPath}: expected {"dataset": "<path>"}; ignored`);
      continue;
    }
    log.info(`opening the lab on ${dataset}, as ${requestUri.fsPath} asked`);
    lab.show({ datasetPath: vscode.Uri.joinPath(folder.uri, dataset).fsPath });
    return;
  }
}

function parseRequest(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    const dataset = (value as { dataset?: unknown } | null)?.dataset;
    return typeof dataset === 'string' && dataset.length > 0 ? dataset : undefined;
  } catch {
    return undefined;
  }
}
