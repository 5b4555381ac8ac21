// The RAG example page: BM25 retrieval, then the reranker.
import '../theme.css';
import './rag-demo.ts';
import { trustSameOriginScripts } from '../worker/trusted-types.ts';

trustSameOriginScripts();
