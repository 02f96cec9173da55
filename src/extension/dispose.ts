/**
 * The one cleanup convention of the extension (as vscode-hexeditor's src/dispose.ts): a class that
 * owns disposables registers them with `_register` and is disposed once; whatever it registered is
 * disposed with it, newest first, even if one of them throws.
 */

export interface IDisposable {
  dispose(): void;
}

/** Disposes every item, newest first; the first error is rethrown after all were tried. */
export function disposeAll(disposables: IDisposable[]): void {
  let firstError: unknown;
  while (disposables.length > 0) {
    try {
      disposables.pop()!.dispose();
    } catch (error) {
      firstError ??= error;
    }
  }
  if (firstError !== undefined) throw firstError;
}

export abstract class Disposable implements IDisposable {
  private readonly disposables: IDisposable[] = [];
  private disposedFlag = false;

  protected get isDisposed(): boolean {
    return this.disposedFlag;
  }

  dispose(): void {
    if (this.disposedFlag) return;
    this.disposedFlag = true;
    disposeAll(this.disposables);
  }

  /** Keeps each of `values` until this object is disposed. */
  protected _registerAll(...values: IDisposable[]): void {
    for (const value of values) this._register(value);
  }

  /** Keeps `value` until this object is disposed (at once, if it already is). */
  protected _register<T extends IDisposable>(value: T): T {
    if (this.disposedFlag) value.dispose();
    else this.disposables.push(value);
    return value;
  }
}
