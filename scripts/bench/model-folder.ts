/** A model folder on disk as Node-side scripts and tests read it: its JSON files, and the core's pair encoder. */
import fs from 'node:fs';
import path from 'node:path';
import { parseModelConfig } from '../../src/lib/files/model-config.ts';
import { PairEncoder } from '../../src/lib/text/tokenize.ts';

export function readModelJson(dir: string, file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Record<string, unknown>;
}

/** The core's encoder for a folder's tokenizer.json, tokenizer_config.json and config.json, as a load builds it. */
export function encoderFromFolder(dir: string): PairEncoder {
  return PairEncoder.fromFiles({
    tokenizerJson: readModelJson(dir, 'tokenizer.json'),
    tokenizerConfig: readModelJson(dir, 'tokenizer_config.json'),
    modelConfig: parseModelConfig(readModelJson(dir, 'config.json')),
  });
}
