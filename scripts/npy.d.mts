// Types for scripts/npy.mjs, so the TypeScript tests and the bench can import it.
export declare function encodeNpy(values: ArrayBufferView, shape: readonly number[], descr: string, options?: { fortran?: boolean }): Buffer;
