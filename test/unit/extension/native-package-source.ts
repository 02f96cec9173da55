import { execFileSync } from 'node:child_process';
import { createReadStream, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

/**
 * A local stand-in for the hosts tfjs-node's install script downloads from, on 127.0.0.1:
 *   /tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz   (TFJS_NODE_CDN_STORAGE)
 *   /napi-v<N>/<version>/CPU-linux-<version>.tar.gz                          (the prebuilt binding mirror)
 * made from the tensorflow-cpu wheel's C library and the binding that scripts/tfjs-node.mjs built.
 * `libtensorflow: 'garbage'` serves bytes that are no archive, for the failure path.
 */
export interface PackageSource {
  cdn: string;
  bindingMirror: string;
  requests: string[];
  close(): Promise<void>;
}

export function packArchives(tfjsNodePackage: string, folder: string): { libtensorflow: string; binding: string } {
  // deps/lib of the build links into the wheel: libtensorflow_cc.so.2 (with the C API), the framework.
  const wheelLib = dirname(execFileSync('readlink', ['-f', join(tfjsNodePackage, 'deps/lib/libtensorflow_cc.so.2')], { encoding: 'utf8' }).trim());
  const staging = join(folder, 'staging');
  mkdirSync(join(staging, 'lib'), { recursive: true });
  // The names of a real libtensorflow archive, pointing at the wheel's files (their sonames).
  symlinkSync('libtensorflow_cc.so.2', join(staging, 'lib/libtensorflow.so'));
  symlinkSync('libtensorflow_framework.so.2', join(staging, 'lib/libtensorflow_framework.so'));
  const libtensorflow = join(folder, 'libtensorflow.tar');
  // Uncompressed (the install's tar reader takes either): packing 850 MB with gzip would dominate the test.
  execFileSync('tar', ['-cf', libtensorflow, '-C', staging, 'lib', '-C', wheelLib, '--transform', 's,^libtensorflow,lib/libtensorflow,', 'libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']);
  const binding = join(folder, 'binding.tar.gz');
  execFileSync('tar', ['-czf', binding, '-C', join(tfjsNodePackage, 'lib'), 'napi-v8/tfjs_binding.node']);
  return { libtensorflow, binding };
}

export async function servePackageSource(files: { libtensorflow: string; binding: string }, libtensorflow: 'archive' | 'garbage' = 'archive'): Promise<PackageSource> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    const send = (file: string) => {
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': statSync(file).size });
      createReadStream(file).pipe(response);
    };
    if (path.startsWith('/tensorflow/libtensorflow/libtensorflow-cpu-linux-x86_64-') && path.endsWith('.tar.gz')) {
      if (libtensorflow === 'garbage') {
        const body = Buffer.alloc(64 * 1024, 'this is not a tar archive ');
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
        response.end(body);
      } else send(files.libtensorflow);
    } else if (/^\/napi-v\d+\/[^/]+\/CPU-linux-[^/]+\.tar\.gz$/.test(path)) {
      send(files.binding);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    cdn: base,
    bindingMirror: base,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
