/**
 * A second implementation of `Reranker`, written as src/lib/ranking.ts says one is: no onnxruntime, no tokenizer, no
 * model file. It scores a (query, document) pair by the share of the query's words the document contains, and leaves
 * checking, window pooling, sorting and `topK` to the ranking module. The tests use it to show that the contract (the
 * worker, the protocol, `rerank`'s results) does not depend on onnxruntime.
 */
import { AbortError, DisposedError } from '../../src/lib/errors.ts';
import { checkRerankCall, checkScoreCall, rankScores, scoresFromLogits, type DocumentPiece } from '../../src/lib/ranking.ts';
import type { RerankOptions, RerankResult, Reranker, RerankerInfo, ScoreOptions } from '../../src/lib/types.ts';
import { DEFAULT_LIMITS, type Limits } from '../../src/lib/validate.ts';

const words = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

export class KeywordReranker implements Reranker {
  readonly info: RerankerInfo = {
    backend: 'keywords', dtype: 'fp32', files: [], loadMs: 0, maxLength: 512, fallbacks: [], notes: ['word overlap, no model'],
    generated: false, modelId: 'keyword-overlap', architecture: 'KeywordOverlap', labels: 1, embeddings: { format: 'as-file' },
    runtime: null,
  };
  private disposed = false;

  /** `windowCharacters`: the longest text scored whole; longer documents are cut (`truncate`) or windowed (`chunk`). */
  constructor(private readonly windowCharacters = 200, private readonly limits: Limits = DEFAULT_LIMITS) {}

  onInfoChange(): () => void {
    return () => {}; // the info never changes: nothing can fail over
  }

  async rerank(query: string, documents: readonly string[], options: RerankOptions = {}): Promise<RerankResult[]> {
    this.checkLive(options?.signal); // `?.`: a null options is checkRerankCall's to refuse
    const plan = checkRerankCall(query, documents, options, this.limits);
    const pieces: DocumentPiece[] = [];
    const logits: number[] = [];
    documents.forEach((text, document) => {
      if (text.length <= this.windowCharacters || plan.longDocuments === 'truncate') {
        pieces.push({ document, truncated: text.length > this.windowCharacters });
        logits.push(this.logit(query, text.slice(0, this.windowCharacters)));
        return;
      }
      for (let start = 0; start < text.length; start += this.windowCharacters) {
        const end = Math.min(text.length, start + this.windowCharacters);
        pieces.push({ document, truncated: false, window: { start, end } });
        logits.push(this.logit(query, text.slice(start, end)));
      }
    });
    const scores = scoresFromLogits(logits, { rawScores: Boolean(options.rawScores), ranOn: 'keywords' });
    return rankScores(documents, scores, plan, pieces);
  }

  async score(pairs: readonly (readonly [string, string])[], options: ScoreOptions = {}): Promise<number[]> {
    this.checkLive(options?.signal); // `?.`: a null options is checkRerankCall's to refuse
    checkScoreCall(pairs, this.limits);
    const logits = pairs.map(([query, document]) => this.logit(query, document.slice(0, this.windowCharacters)));
    return scoresFromLogits(logits, { rawScores: Boolean(options?.rawScores), ranOn: 'keywords' });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  private checkLive(signal: AbortSignal | undefined): void {
    if (this.disposed) throw new DisposedError('this reranker was disposed');
    if (signal?.aborted) throw new AbortError('the call was cancelled');
  }

  /** From −4 (no query word in the text) to +4 (every one), so the sigmoid spreads scores over (0.02, 0.98). */
  private logit(query: string, text: string): number {
    const wanted = new Set(words(query));
    const present = new Set(words(text));
    const found = [...wanted].filter((word) => present.has(word)).length;
    return wanted.size === 0 ? -4 : 8 * (found / wanted.size) - 4;
  }
}
