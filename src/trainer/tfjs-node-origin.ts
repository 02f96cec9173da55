/**
 * Where this process's tensorflow backend (tfjs-node) was loaded from, once it has been. Kept apart
 * from the loader so that run-folder.ts, which the extension host also imports, does not pull in tfjs.
 */
let origin: string | undefined;

export function recordTfjsNodeOrigin(packageDir: string): void {
  origin = packageDir;
}

export function tfjsNodeOrigin(): string | undefined {
  return origin;
}
