/** One rule for "is this a hub id?", shared by the core's file reader and `<bge-reranker model="…">`. */
import { describe, expect, it } from 'vitest';
import { isHubId } from '../../src/lib/model-source.ts';
import { modelSourceFromAttribute } from '../../src/ui/bge-reranker-api.ts';

describe('isHubId', () => {
  it('accepts owner/name repository ids', () => {
    for (const id of ['onnx-community/bge-reranker-v2-m3-ONNX', 'BAAI/bge-reranker-v2-m3', 'a/b', 'user_1/model.v2', 'Xenova/ms-marco-MiniLM-L-6-v2']) {
      expect(isHubId(id), id).toBe(true);
    }
  });

  it('rejects paths, URLs and names the hub itself refuses', () => {
    for (const value of ['models/tiny', 'models/tiny/', 'datasets/x', './tiny/model', '../m/x', '/models/tiny', 'tiny',
      'https://example.org/m/', 'a/b/c', 'owner/-name', 'owner/name.', 'own--er/name', 'owner/na..me', 'owner/name.git', '']) {
      expect(isHubId(value), value).toBe(false);
    }
  });

  it('decides what the element sends to the hub', () => {
    expect(modelSourceFromAttribute('models/tiny', 'https://example.org/demo/')).toEqual({ url: 'https://example.org/demo/models/tiny' });
    expect(modelSourceFromAttribute('BAAI/bge-reranker-v2-m3', 'https://example.org/demo/')).toBe('BAAI/bge-reranker-v2-m3');
  });
});
