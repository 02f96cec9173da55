// Types for scripts/code-server.mjs, so the TypeScript tests can import it.
import type { ChildProcess } from 'node:child_process';

export declare const CODE_SERVER_VERSION: string;
export declare const cacheDir: string;
export declare const codeServerBin: string;

export interface CodeServerOptions {
  workspace: string;
  extensionsDir: string;
  userDataDir: string;
  port?: number;
  logFile?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface RunningCodeServer {
  /** Workbench URL with the workspace folder open. */
  url: string;
  baseUrl: string;
  port: number;
  process: ChildProcess;
  logFile: string;
  stop(): Promise<void>;
}

export declare function ensureCodeServer(): Promise<string>;
export declare function startCodeServer(options: CodeServerOptions): Promise<RunningCodeServer>;
export declare function installExtension(vsixPath: string, extensionsDir: string, userDataDir: string): Promise<void>;
export declare function checkSystemPackages(): string[];
export declare function findChromium(): string | undefined;
export declare function freePort(): Promise<number>;
