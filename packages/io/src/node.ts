/** The Node entry: everything in the main entry plus files on disk. */

export type { SafetensorsFile } from './files.js';
export {
  FileWriteError,
  openSafetensors,
  otherProcessAlive,
  readSafetensors,
  removeStaleTemporaries,
  writeFileAtomic,
} from './files.js';
export * from './index.js';
