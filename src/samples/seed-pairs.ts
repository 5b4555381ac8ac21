/**
 * The ten (query, document) pairs of the seed article's `test2_batched.py` (a simulated RAG top-10 recall scored by
 * `CrossEncoder('BAAI/bge-reranker-v2-m3')`), copied character for character: half-width `?` and `,` as in the
 * article, Chinese full stop `。`. Each query appears twice, once with a relevant and once with an off-topic document.
 *
 * @example
 * SEED_PAIRS[0]; // ['阿里巴巴和腾讯哪家公司成立更早?', '腾讯成立于1998年11月,是中国最早的互联网公司之一。']
 */
export const SEED_PAIRS: ReadonlyArray<readonly [query: string, document: string]> = [
  ['阿里巴巴和腾讯哪家公司成立更早?', '腾讯成立于1998年11月,是中国最早的互联网公司之一。'],
  ['阿里巴巴和腾讯哪家公司成立更早?', '阿里巴巴集团于1999年在杭州创立,创始人是马云。'],
  ['深度学习中的梯度消失怎么解决?', '使用ReLU激活函数可以有效缓解梯度消失问题。'],
  ['深度学习中的梯度消失怎么解决?', '卷积神经网络主要用于图像分类任务。'],
  ['Python中列表推导式的语法是什么?', 'list comprehension的格式为 [expr for item in iterable]'],
  ['Python中列表推导式的语法是什么?', 'Pandas是一个数据分析库,提供DataFrame结构。'],
  ['气候变化的主要原因有哪些?', '温室气体排放,尤其是二氧化碳,是全球变暖的主因。'],
  ['气候变化的主要原因有哪些?', '太阳黑子活动周期约为11年,会影响地球温度。'],
  ['如何提高英语口语水平?', '每天坚持跟读BBC新闻有助于提升发音和语感。'],
  ['如何提高英语口语水平?', '英语四级考试主要考察阅读和写作能力。'],
];
