/**
 * The RAG example's knowledge base: a small shipped corpus for a first-stage retriever to search. It holds the
 * 50-document tea case (src/samples/rag-50.ts), the seed article's 10 documents, and passages on other subjects
 * (search and reranking, browsers and hardware, travel, cooking, health, history, programming), so that a query has
 * to be found among unrelated text before it is reranked. Written for this project.
 */
import { RAG_50 } from './rag-50.ts';
import { SEED_PAIRS } from './seed-pairs.ts';

export interface Passage {
  id: number;
  topic: string;
  text: string;
}

const OTHER: readonly [topic: string, text: string][] = [
  ['search', 'A search system usually works in two stages: a fast retriever returns a few hundred candidates from an inverted index or a vector index, and a slower, more accurate reranker orders them.'],
  ['search', 'BM25 scores a document by how often the query terms occur in it, discounted by document length and by how common each term is across the whole collection.'],
  ['search', 'A cross-encoder reads the query and the document together, so every query token attends to every document token; that is why it ranks better than a bi-encoder, and why it is slower.'],
  ['search', 'The reranker returns one logit per (query, document) pair; the sigmoid turns it into a relevance score between 0 and 1 that is comparable within one query.'],
  ['search', 'Retrieval-augmented generation feeds the best passages to a language model as context; irrelevant passages make the answer vague or wrong, so reranking the top 50 to a top 5 often matters more than a bigger generator.'],
  ['search', 'Embedding models map a sentence to a vector so that similar meanings end up close together; nearest-neighbour search then retrieves passages quickly, but the query and the passage never see each other.'],
  ['search', 'Recall at 50 measures whether the first stage found the right passages at all; NDCG at 5 measures whether the reranker put them first.'],
  ['browser', 'WebGPU gives web pages access to the graphics card for general computation; where it is missing, WebAssembly runs the same model on the CPU, more slowly.'],
  ['browser', 'A page is cross-origin isolated when it is served with the Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers; only then can WebAssembly use several threads through SharedArrayBuffer.'],
  ['browser', 'The Cache API stores responses on the device, so a model downloaded once loads from disk on the next visit, even offline.'],
  ['browser', 'A Web Worker runs JavaScript off the main thread, so a long computation does not freeze scrolling, typing or animations on the page.'],
  ['browser', 'Running the model in the browser keeps the documents on the device: nothing is uploaded, and the page works without a server once it is loaded.'],
  ['hardware', 'Graphics memory is the hard limit when batching: a batch that is too large fails with an out-of-memory error, so the batch size must be found by measuring.'],
  ['hardware', 'Half-precision floats (fp16) halve the memory of the weights and usually speed up inference on graphics cards that support them natively.'],
  ['hardware', 'Eight-bit quantization stores each weight as an integer with a scale, shrinking the model to about a quarter of its 32-bit size at a small cost in accuracy.'],
  ['travel', 'When you travel abroad, carry a copy of your passport, learn a few words of the local language, and keep some cash in small notes.'],
  ['travel', 'The train to the city leaves at 7:45 and arrives at 9:10; tickets cost 12.50 for adults and half price for students.'],
  ['travel', 'Most museums in the old town are closed on Mondays, and restaurants in the south often open late in the evening.'],
  ['travel', '去北京旅游最好在春天或秋天,天气凉爽,可以去故宫、长城和颐和园。'],
  ['travel', 'Kyoto has more than a thousand temples; visit the famous ones early in the morning, before the tour buses arrive.'],
  ['cooking', 'To cook rice, rinse it until the water runs clear, use about one and a quarter cups of water per cup of rice, simmer covered for fifteen minutes and let it rest for ten.'],
  ['cooking', 'Bread dough needs flour, water, salt and yeast; knead it for ten minutes, let it rise until doubled, shape it, and bake it in a very hot oven.'],
  ['cooking', 'A good tomato sauce starts with olive oil and garlic over low heat; add crushed tomatoes, a pinch of salt, and simmer for twenty minutes.'],
  ['cooking', 'Coffee tastes best brewed with water just off the boil, about 93 degrees, with freshly ground beans: roughly 60 grams of coffee per litre of water.'],
  ['health', 'Adults should aim for seven to nine hours of sleep; a regular bedtime and a dark, cool room help more than any supplement.'],
  ['health', 'Walking thirty minutes a day lowers blood pressure and improves mood; the best exercise is the one you keep doing.'],
  ['health', 'Caffeine has a half-life of about five hours, so a cup of strong tea or coffee in the late afternoon can still disturb sleep.'],
  ['history', 'The printing press, built by Johannes Gutenberg around 1440, made books cheap enough to spread literacy across Europe.'],
  ['history', 'The first working transistor was built at Bell Labs in 1947; it replaced vacuum tubes and made modern computers possible.'],
  ['history', 'Tea reached Europe in the early seventeenth century through Dutch traders, and became a national habit in Britain a century later.'],
  ['programming', 'Python list comprehensions have the form [expr for item in iterable if condition]; they are shorter than a loop and often faster.'],
  ['programming', 'A unit test checks one function with known inputs and outputs; an end-to-end test drives the real application in a browser.'],
  ['programming', 'TypeScript adds static types to JavaScript; the compiler checks them and then emits plain JavaScript that runs anywhere.'],
  ['programming', 'Pandas DataFrames hold tabular data with labelled columns; groupby, merge and pivot_table cover most analysis tasks.'],
  ['programming', 'Sorting inputs by length before batching them reduces padding, because each batch is only as wide as its longest sequence.'],
  ['science', 'Climate change is driven mainly by greenhouse gas emissions, especially carbon dioxide from burning coal, oil and gas.'],
  ['science', 'Water boils at 100 degrees Celsius at sea level, but at lower temperatures on mountains, where the air pressure is lower.'],
  ['science', 'Photosynthesis turns light, water and carbon dioxide into sugar and oxygen; tea leaves are picked young, when they are richest in it.'],
  ['language', 'How do you improve your spoken English? Practise every day, listen to the news, read aloud, and speak with other people.'],
  ['language', 'Im Deutschen stehen Verben im Nebensatz am Ende; das macht lange Sätze für Lernende anfangs schwer verständlich.'],
];

/** The corpus, ids in order: the tea case first (so its indices match RAG_50), then the seed's documents, then the rest. */
export const KNOWLEDGE_BASE: readonly Passage[] = [
  ...RAG_50.documents.map((text) => ({ topic: 'tea', text })),
  ...SEED_PAIRS.map(([, text]) => ({ topic: 'seed', text })),
  ...OTHER.map(([topic, text]) => ({ topic, text })),
].map((p, id) => ({ id, ...p }));

/** Questions the RAG page offers; any other may be typed. */
export const EXAMPLE_QUESTIONS: readonly string[] = [
  RAG_50.query,
  ...new Set(SEED_PAIRS.map(([query]) => query)),
  'Why does the browser need special headers for wasm threads?',
  'How should I choose the batch size for a reranker?',
];
