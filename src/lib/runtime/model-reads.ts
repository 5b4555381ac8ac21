/** Reading a dtype's model files (the ONNX graph and its external data) for a load, each file once per load. */
import { DTYPES } from '../dtypes.ts';
import { ModelLoadError } from '../errors.ts';
import { externalDataFiles, type ModelConfig } from '../files/model-config.ts';
import type { FileRead, ModelFileReader } from '../files/model-files.ts';
import type { ExternalDataFile } from './session.ts';
import type { Dtype, Fallback } from '../types.ts';

export interface ModelFiles {
  dtype: Dtype;
  graph: FileRead;
  external: ExternalDataFile[];
  /** config.json, for the session's label count. */
  config: ModelConfig;
}

export async function readModel(reader: ModelFileReader, config: ModelConfig, dtype: Dtype, signal?: AbortSignal): Promise<ModelFiles> {
  const path = DTYPES[dtype].file;
  const graph = await reader.read(path, signal, { onDemand: true }); // a missing file throws a ModelLoadError that names it
  const external: ExternalDataFile[] = [];
  for (const dataPath of externalDataFiles(config, path)) {
    external.push({ path: dataPath.split('/').pop()!, data: (await reader.read(dataPath, signal, { onDemand: true })).bytes });
  }
  return { dtype, graph, external, config };
}

/** Reads of one load, by dtype, kept so that a device tried after another one reads no file (nor a 404) twice. */
export type ModelReads = Map<Dtype, Promise<ModelFiles>>;

/**
 * The first of `dtypes` whose file the source has: one request when the first is there, as it is in the usual case
 * (no probing of every dtype). Each missing file leaves a fallback with its reason.
 */
export async function readFirstPresent(reader: ModelFileReader, config: ModelConfig, dtypes: readonly Dtype[],
  fallbacks: Fallback[], reads: ModelReads, signal?: AbortSignal): Promise<ModelFiles> {
  for (const [i, dtype] of dtypes.entries()) {
    try {
      let read = reads.get(dtype);
      if (!read) reads.set(dtype, (read = readModel(reader, config, dtype, signal)));
      return await read;
    } catch (error) {
      const next = dtypes[i + 1];
      if (!(error instanceof ModelLoadError) || !error.missingFile || !next) throw error;
      fallbacks.push({ from: dtype, to: next, reason: `${error.missingFile} is not in ${reader.label}` });
    }
  }
  throw new ModelLoadError('no dtype to load'); // unreachable: dtypes is never empty
}
