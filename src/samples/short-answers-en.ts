/**
 * The seed article's ten (question, passage) pairs in English, one passage per line in the same order: five questions,
 * each with one passage that answers it and one on the same subject that does not (the first question has two that
 * answer it: both give a founding year). Translated for this project, so the app can open on a sample every reader
 * understands; the Chinese originals are in seed-pairs.ts.
 *
 * @example
 * SHORT_ANSWERS_EN.questions[0] // → 'Which company was founded first, Alibaba or Tencent?'
 * SHORT_ANSWERS_EN.passages[1]  // → 'Alibaba Group was founded in Hangzhou in 1999; its founder is Jack Ma.'
 */
export const SHORT_ANSWERS_EN = {
  questions: [
    'Which company was founded first, Alibaba or Tencent?',
    'How do you deal with vanishing gradients in deep learning?',
    'What is the syntax of a list comprehension in Python?',
    'What are the main causes of climate change?',
    'How can I improve my spoken English?',
  ],
  passages: [
    'Tencent was founded in November 1998 and is one of the earliest internet companies in China.',
    'Alibaba Group was founded in Hangzhou in 1999; its founder is Jack Ma.',
    'Using the ReLU activation function effectively eases the vanishing gradient problem.',
    'Convolutional neural networks are mainly used for image classification.',
    'A list comprehension has the form [expr for item in iterable].',
    'Pandas is a data analysis library that provides the DataFrame structure.',
    'Greenhouse gas emissions, above all carbon dioxide, are the main cause of global warming.',
    'The sunspot cycle lasts about 11 years and affects the temperature on Earth.',
    'Shadowing the BBC news every day helps with pronunciation and a feel for the language.',
    'The CET-4 English exam mainly tests reading and writing.',
  ],
} as const;
