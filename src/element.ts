/**
 * The standalone web component: `import 'bge-reranker-web/element'` registers `<bge-reranker>`.
 *
 * @example
 * <bge-reranker model="models/bge-reranker-v2-m3/" query="capital of France" timing></bge-reranker>
 */
export { BgeRerankerElement, modelSourceFromAttribute, type RankedDetail } from './ui/bge-reranker-element.ts';
