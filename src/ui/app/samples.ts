/** The sample inputs the input panel offers, grouped as the picker shows them. DOM-free. */
import { SEED_PAIRS } from '../../samples/seed-pairs.ts';
import { SHORT_ANSWERS_EN } from '../../samples/short-answers-en.ts';
import { RAG_50 } from '../../samples/rag-50.ts';

export interface Sample {
  id: string;
  /** The picker's group: what kind of input this is. */
  group: string;
  /** The picker's entry: the question. */
  label: string;
  /** Says exactly what was picked, in the reader's terms, shown under the picker. */
  description: string;
  query: string;
  documents: readonly string[];
  relevant: readonly number[];
}

const chineseQuestions = [...new Set(SEED_PAIRS.map(([q]) => q))];
const chinesePassages = SEED_PAIRS.map(([, d]) => d);

/**
 * Ten one-sentence passages on five subjects, two per subject; question q is answered by passage 2q (and, for the
 * first question, by passage 1 too: both give a founding year). The other passages are about other questions.
 */
function shortAnswers(language: 'en' | 'zh', q: number): Sample {
  const relevant = q === 0 ? [0, 1] : [2 * q];
  const english = SHORT_ANSWERS_EN.questions[q];
  const which = relevant.length === 2 ? 'passages 0 and 1 answer it' : `passage ${relevant[0]} answers it and passage ${2 * q + 1} is on the same subject but does not`;
  return language === 'en'
    ? {
        id: `en-${q + 1}`,
        group: 'Short answers, English: one question, 10 passages',
        label: english,
        description: `Ten one-sentence passages on five subjects; ${which} (marked "relevant" in the results). The rest answer other questions.`,
        query: english,
        documents: SHORT_ANSWERS_EN.passages,
        relevant,
      }
    : {
        id: `zh-${q + 1}`,
        group: 'Short answers, Chinese: the same, the model is multilingual',
        label: chineseQuestions[q],
        description: `The same question and ten passages in Chinese ("${english}"): bge-reranker-v2-m3 reads about 100 ` +
          `languages, so it ranks them as it does the English ones. ${which[0].toUpperCase()}${which.slice(1)}.`,
        query: chineseQuestions[q],
        documents: chinesePassages,
        relevant,
      };
}

const teaSample: Sample = {
  id: 'tea-50',
  group: 'A search result to rerank: one question, 50 passages',
  label: RAG_50.query,
  description: `What a search step hands a reranker: 50 passages about tea that share words with the question, in English, ` +
    `Chinese, Japanese, German, French and Spanish, of mixed lengths (one is longer than the 512 tokens a pair may ` +
    `hold and gets cut). Only ${RAG_50.relevant.length} answer it: passages ${RAG_50.relevant.join(', ')}.`,
  query: RAG_50.query,
  documents: RAG_50.documents,
  relevant: RAG_50.relevant,
};

export const SAMPLES: readonly Sample[] = [
  ...SHORT_ANSWERS_EN.questions.map((_, q) => shortAnswers('en', q)),
  ...chineseQuestions.map((_, q) => shortAnswers('zh', q)),
  teaSample,
];
export const DEFAULT_SAMPLE_ID = 'en-1';

/**
 * The samples by group, in order, for the picker's optgroups.
 *
 * @example
 * sampleGroups().map(([group, samples]) => [group, samples.length])
 * // → [['Short answers, English: …', 5], ['Short answers, Chinese: …', 5], ['A search result to rerank: …', 1]]
 */
export function sampleGroups(samples: readonly Sample[] = SAMPLES): [string, Sample[]][] {
  const groups = new Map<string, Sample[]>();
  for (const s of samples) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  return [...groups];
}
