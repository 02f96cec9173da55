import * as path from 'node:path';
import * as vscode from 'vscode';
import { Disposable } from './dispose';
import { discoverDatasets, type DatasetCandidate } from '../data/discover';
import { debounce } from './debounce';

/** A dataset in the Datasets view; Inspect and Train take one of these as their argument. */
export class DatasetItem extends vscode.TreeItem {
  constructor(readonly candidate: DatasetCandidate) {
    super(candidate.name, vscode.TreeItemCollapsibleState.None);
    this.id = candidate.path;
    this.resourceUri = vscode.Uri.file(candidate.path);
    this.description = DatasetItem.describe(candidate);
    this.iconPath = DatasetItem.icon(candidate);
    this.tooltip = tooltip(candidate);
    this.contextValue = candidate.error ? 'datasetError' : 'dataset';
    this.command = { command: 'autoencoderLab.inspectDataset', title: vscode.l10n.t('Inspect Dataset'), arguments: [this] };
  }

  /** "60,000 × 28×28" — or the problem, for a file that cannot be read. */
  static describe(candidate: DatasetCandidate): string {
    if (candidate.error) return candidate.error;
    const parts: string[] = [];
    if (candidate.count !== undefined) parts.push(candidate.count.toLocaleString(vscode.env.language));
    if (candidate.shape?.length) parts.push(candidate.shape.join('×'));
    return parts.join(' × ') || candidate.format;
  }

  static icon(candidate: DatasetCandidate): vscode.ThemeIcon {
    if (candidate.error) return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    switch (candidate.format) {
      case 'image-folder':
        return new vscode.ThemeIcon('file-media');
      case 'csv':
        return new vscode.ThemeIcon('table');
      case 'text':
        return new vscode.ThemeIcon('symbol-text');
      default:
        return new vscode.ThemeIcon('database');
    }
  }
}

/** A workspace folder heading, shown only in multi-root workspaces. */
class FolderItem extends vscode.TreeItem {
  constructor(readonly folder: vscode.WorkspaceFolder) {
    super(folder.name, vscode.TreeItemCollapsibleState.Expanded);
    this.id = `folder:${folder.uri.toString()}`;
    this.iconPath = vscode.ThemeIcon.Folder;
    this.resourceUri = folder.uri;
  }
}

type Node = DatasetItem | FolderItem;

/** Files the Datasets view cares about; a change to one of them re-runs discovery. */
const DATA_GLOB = '**/*.{gz,idx,npy,npz,csv,tsv,txt,png,jpg,jpeg,PNG,JPG,JPEG}';

/**
 * The datasets found in each workspace folder (discoverDatasets peeks at headers only, so this is
 * cheap), kept current by a debounced file watcher.
 */
export class DatasetsTreeProvider extends Disposable implements vscode.TreeDataProvider<Node> {
  private readonly changes = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changes.event;
  private cache = new Map<string, Promise<DatasetCandidate[]>>();
  private readonly refreshSoon = this._register(debounce(() => this.refresh(), 500));

  constructor(
    private readonly log: vscode.LogOutputChannel,
    /** The runs folders, whose files (models, checkpoints) are not datasets. */
    private readonly runsRoots: () => string[],
  ) {
    super();
    const watcher = vscode.workspace.createFileSystemWatcher(DATA_GLOB);
    const onChange = (uri: vscode.Uri) => {
      if (!isIgnoredPath(uri) && !this.runsRoots().some((root) => isInside(uri.fsPath, root))) this.refreshSoon();
    };
    watcher.onDidCreate(onChange);
    watcher.onDidChange(onChange);
    watcher.onDidDelete(onChange);
    // A deleted folder is one event for the folder, none for the data files inside it.
    const deletions = vscode.workspace.createFileSystemWatcher('**/*', true, true, false);
    deletions.onDidDelete(onChange);
    this._register(watcher);
    this._register(deletions);
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()));
  }

  refresh(): void {
    this.cache.clear();
    this.changes.fire();
  }

  getTreeItem(node: Node): vscode.TreeItem {
    return node;
  }

  async getChildren(parent?: Node): Promise<Node[]> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (parent instanceof FolderItem) return (await this.discover(parent.folder)).map((candidate) => new DatasetItem(candidate));
    if (parent) return [];
    if (folders.length === 1) return (await this.discover(folders[0])).map((candidate) => new DatasetItem(candidate));
    return folders.map((folder) => new FolderItem(folder));
  }

  /** Every dataset of every workspace folder (the Train and Inspect quick picks). */
  async candidates(): Promise<DatasetCandidate[]> {
    const lists = await Promise.all((vscode.workspace.workspaceFolders ?? []).map((folder) => this.discover(folder)));
    return lists.flat();
  }

  private discover(folder: vscode.WorkspaceFolder): Promise<DatasetCandidate[]> {
    if (folder.uri.scheme !== 'file') return Promise.resolve([]);
    const key = folder.uri.toString();
    let found = this.cache.get(key);
    if (!found) {
      const started = Date.now();
      found = discoverDatasets(folder.uri.fsPath).then(
        (candidates) => {
          this.log.debug(`Found ${candidates.length} dataset(s) in ${folder.uri.fsPath} in ${Date.now() - started} ms`);
          return candidates;
        },
        (error: unknown) => {
          this.log.error(`Cannot look for datasets in ${folder.uri.fsPath}: ${String(error)}`);
          return [];
        },
      );
      this.cache.set(key, found);
    }
    return found;
  }
}

/**
 * Changes discovery never looks at (it skips hidden folders, node_modules and dist): above all the
 * run folders under .autoencoder-lab, where a training run rewrites checkpoints every epoch.
 */
function isIgnoredPath(uri: vscode.Uri): boolean {
  const relative = vscode.workspace.asRelativePath(uri, false);
  return relative.split(/[\\/]/).some((segment) => segment.startsWith('.') || segment === 'node_modules' || segment === 'dist');
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function tooltip(candidate: DatasetCandidate): vscode.MarkdownString {
  const lines = [`**${candidate.name}** (${candidate.format})`, '', vscode.workspace.asRelativePath(candidate.path)];
  if (candidate.error) lines.push('', `$(error) ${candidate.error}`);
  else lines.push('', vscode.l10n.t('Click to inspect; {0} to train.', '$(play)'));
  const markdown = new vscode.MarkdownString(lines.join('\n'), true);
  return markdown;
}
