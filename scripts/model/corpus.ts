/**
 * The text the generated tokenizer learns its vocabulary from. It is small (about 10 KB) and shipped with the project,
 * so every generated model has the same vocabulary on every machine. It mixes the seed article's Chinese pairs with
 * English prose about retrieval and everyday topics and a few lines in other languages and scripts, so that the
 * learned pieces cover Han characters, Latin words and subwords, Cyrillic, kana, digits and punctuation.
 *
 * Deliberately absent: emoji and most rare symbols, so tests have characters that are guaranteed to be unknown.
 */
import { SEED_PAIRS } from '../../src/samples/seed-pairs.ts';

/** Every distinct sentence of the seed pairs, queries first, in the order they first appear. */
const SEED_SENTENCES: readonly string[] = [
  ...new Set(SEED_PAIRS.map(([query]) => query)),
  ...new Set(SEED_PAIRS.map(([, document]) => document)),
];

const CHINESE: readonly string[] = [
  '重排序模型会同时读取查询和文档,然后给出一个相关性分数。',
  '向量检索先召回前100个候选文档,再由重排序模型挑出最相关的10个。',
  '在浏览器中运行模型可以保护用户隐私,因为数据不会离开本地设备。',
  '批量处理可以提高吞吐量,但是显存占用也会随之增加。',
  '这个问题的答案取决于文档的长度和查询的语言。',
  '今天北京的天气很好,我们去公园散步吧。',
  '深度学习模型的训练需要大量的数据和计算资源。',
  '卷积神经网络在图像分类任务上表现很好,循环神经网络常用于处理文本。',
  '神经网络的层数越多,梯度消失问题就越明显,所以需要合适的激活函数。',
  '全球变暖的主要原因是温室气体排放,其中二氧化碳的影响最大。',
  '气候变化会影响地球温度、降水和海平面,不同地区的影响也不同。',
  '太阳活动有一定的周期,但它不是近年来全球变暖的主要原因。',
  '提高英语口语水平的方法有很多:每天跟读新闻,练习发音,多和别人交流。',
  '英语考试通常考察听力、阅读和写作能力,口语考试则考察发音和语感。',
  '中国的互联网公司大多成立于1998年以后,阿里巴巴集团的总部在杭州。',
  'Pandas是Python中常用的数据分析库,DataFrame是它最主要的数据结构。',
  'Python的列表推导式语法简洁,可以用一行代码生成一个新的列表。',
];

const ENGLISH: readonly string[] = [
  'A search system usually works in two stages. The first stage retrieves a few hundred candidate documents quickly, ' +
    'using an inverted index or a vector index built from embeddings. The second stage reranks those candidates with ' +
    'a slower but more accurate model, and only the top results are shown to the user or passed to a language model.',
  'A cross-encoder reads the query and the document together, as one sequence, so every token of the query can ' +
    'attend to every token of the document. That is why it ranks better than a bi-encoder, which encodes each text ' +
    'on its own and compares two vectors. The price is speed: a cross-encoder must run once for every (query, ' +
    'document) pair.',
  'The reranker returns a single logit for each pair. Applying the sigmoid function turns the logit into a relevance ' +
    'score between 0 and 1. Scores are comparable within one query, but a score of 0.7 does not mean the same thing ' +
    'for every query, so most applications only sort by it or keep the documents above a tuned threshold.',
  'Running the model in the browser keeps the documents on the device. The model is downloaded once, cached, and ' +
    'then executed with WebGPU when the graphics card supports it, or with WebAssembly on the CPU when it does not. ' +
    'Batching several pairs into one call makes better use of the hardware, as long as the padded sequences are not ' +
    'too long.',
  'Tokenization splits text into pieces from a fixed vocabulary. Frequent words become a single piece, while rare ' +
    'words are broken into smaller subwords, and characters that were never seen are mapped to the unknown token. ' +
    'Every sequence starts with a special token and ends with a separator; a pair puts two separators between its ' +
    'texts.',
  'Training a neural network means adjusting millions of weights to reduce a loss function. Learning rates, batch ' +
    'sizes and the number of training steps all matter. Evaluation on held-out data tells us whether the model ' +
    'generalizes or has merely memorized the training examples.',
  'On Saturday morning we walked to the market, bought fresh bread, apples and cheese, and then had coffee with ' +
    'friends in the small park near the river. The weather was warm, the children were playing football, and nobody ' +
    'was in a hurry to go home before the evening.',
  'The train to the city leaves at 7:45 and arrives at 9:10, although it was twenty minutes late again today. ' +
    'Tickets cost $12.50 for adults and half price for students. Please remember to check the timetable, because the ' +
    'schedule changes during the holidays.',
  'Climate change is driven mainly by greenhouse gas emissions, especially carbon dioxide from burning coal, oil and ' +
    'gas. Rising temperatures affect rainfall, sea levels and the seasons, and the effects are different in every ' +
    'region of the world.',
  'How do you improve your spoken English? Practise every day, listen to the news, read aloud, and do not be afraid ' +
    'of making mistakes. Speaking with other people is the fastest way to improve your pronunciation and your ' +
    'confidence.',
  'Python list comprehensions have the form [expr for item in iterable if condition]. They are shorter than a loop ' +
    'and often faster, but a long comprehension can be harder to read than the equivalent for loop.',
  'Version 2.3.1 fixed three bugs: the cache was not cleared after an update, the progress bar stopped at 99%, and ' +
    'long documents (more than 512 tokens) were truncated from the wrong side. Thanks to everyone who reported them!',
  'Embedding models map a sentence to a vector of a few hundred numbers, so that texts with similar meanings end up ' +
    'close to each other. Retrieval then becomes a nearest-neighbour search, which is fast even over millions of ' +
    'passages. The weakness is that the query and the passage never see each other before the comparison is made.',
  'Retrieval-augmented generation (RAG) feeds the best passages to a large language model as context. If the ' +
    'retrieved passages are irrelevant, the answer will be wrong or vague, which is why a good reranker often ' +
    'improves the final answer more than a bigger generator does. Measuring recall at 10 and NDCG at 10 shows where ' +
    'the pipeline fails.',
  'Quantization stores the weights with fewer bits: 16-bit floats halve the download, and 8-bit integers shrink it ' +
    'to a quarter. The scores change slightly, so it is worth comparing the quantized model with the original on a ' +
    'sample of real queries before shipping it to users.',
  'My grandmother keeps a small garden behind her house. In spring she plants tomatoes, beans, potatoes and onions, ' +
    'and in summer she gives most of the vegetables away to the neighbours. She says that cooking for other people ' +
    'is the best part of gardening, and I think she is right.',
  'When you travel abroad, carry a copy of your passport, learn a few words of the local language, and keep some ' +
    'cash in small notes. Most museums are closed on Mondays, and restaurants in the south often open late in the ' +
    'evening.',
  'The library opens at nine and closes at six, except on Sundays. Members can borrow up to five books for three ' +
    'weeks; magazines and newspapers must be read in the reading room. Ask the librarian if you cannot find ' +
    'something.',
  'Writing tests is cheaper than debugging in production. A unit test checks one function with known inputs and ' +
    'outputs; an integration test runs several parts together; an end-to-end test drives the real application in a ' +
    'browser. Flaky tests should be fixed quickly, because people stop trusting a test suite that fails at random.',
];

const OTHER_LANGUAGES: readonly string[] = [
  'Der Zug nach Berlin fährt um 8:15 Uhr ab. ' +
    'Suchmaschinen sortieren die Ergebnisse nach ihrer Relevanz für die Anfrage.',
  'Die Temperatur steigt heute auf 25 Grad, und wir gehen am Nachmittag mit den Kindern schwimmen.',
  'Le modèle de réordonnancement lit la requête et le document ensemble. ' +
    'Il fait beau à Paris, et le café est à 3,50 €.',
  'Les résultats les plus pertinents sont affichés en premier ; les autres documents sont ignorés.',
  'El modelo calcula una puntuación de relevancia para cada par. ¿Dónde está la estación? Está a 200 metros de aquí.',
  'Los documentos se ordenan por su puntuación, y solo los 10 mejores se envían al modelo de lenguaje.',
  '検索システムは、まず候補の文書を集めて、次に再ランキングモデルで並べ替えます。',
  '今日は天気がいいので、公園を散歩しましょう。明日の会議は午前10時からです。',
  'Поисковая система сначала находит кандидатов, а затем модель переранжирования сортирует их по релевантности.',
  'Сегодня в Москве солнечно, температура около 18 градусов. Поезд отправляется в 9:30.',
  '검색 시스템은 후보 문서를 찾은 다음 재순위 모델로 다시 정렬합니다.',
  'Ein guter Suchalgorithmus findet nicht nur passende Wörter, sondern versteht auch die Bedeutung der Frage.',
  "Aujourd'hui, nous testons le modèle sur 1 000 requêtes en français, en anglais et en chinois.",
  'La búsqueda semántica encuentra documentos aunque no compartan ninguna palabra con la consulta.',
  'Модель работает прямо в браузере, поэтому данные пользователя никуда не отправляются.',
  'このモデルはブラウザの中で動くので、データは外部に送信されません。',
  'Η αναζήτηση επιστρέφει τα πιο σχετικά έγγραφα πρώτα.',
  'Numbers and symbols: 0 1 2 3 4 5 6 7 8 9, 10%, 3.14, 1,000,000, 2024-05-17, #42, @user, ' +
    'a+b=c, x*y/z, (a), [b], {c}, 1 < 2 > 0.',
];

/** The corpus, one paragraph or sentence per entry. */
export const CORPUS: readonly string[] = [...SEED_SENTENCES, ...CHINESE, ...ENGLISH, ...OTHER_LANGUAGES];
