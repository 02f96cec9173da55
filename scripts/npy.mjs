import { Buffer } from 'node:buffer';

/**
 * A NumPy v1 .npy file: magic, version 1.0, a header dict padded to 64 bytes, then the values' bytes
 * as they are (little-endian on every machine we run on). For the sample data, the bench's peers and tests.
 */
export function encodeNpy(values, shape, descr, { fortran = false } = {}) {
  const shapeText = `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const prefix = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  prefix.writeUInt16LE(header.length, 8);
  return Buffer.concat([prefix, Buffer.from(header, 'latin1'), Buffer.from(values.buffer, values.byteOffset, values.byteLength)]);
}
