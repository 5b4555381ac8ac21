/**
 * A 50-document RAG case like the seed's knowledge-base assistant (top-50 retrieved, rerank to top-5): one query and
 * 50 documents about tea, as a first-stage retriever might return them. Only a few answer the question (how to steep
 * green tea: temperature and time); the rest share its words (tea, water, brew, minutes, temperature) but not its
 * meaning. Mixed lengths, from one line to one long enough to be truncated at maxLength 512, and in English, Chinese,
 * Japanese, German, French and Spanish, since bge-reranker-v2-m3 is multilingual. Written for this project.
 *
 * @example
 * RAG_50.documents.length // → 50
 * RAG_50.relevant        // → [3, 11, 19, 27, 38, 46]
 */
export interface RagSample {
  query: string;
  documents: readonly string[];
  /** Indices of the documents that answer the query (the rest are distractors). */
  relevant: readonly number[];
}

const LONG_GUIDE = [
  'A field guide to water for tea. Most of what people call a "bad" tea is really bad water, and most of what goes',
  'wrong with water is either its mineral content or its temperature history. Water that has been boiled again and',
  'again loses dissolved oxygen and tastes flat, which is why many tea houses draw fresh water for every pot. Hard',
  'water, rich in calcium and magnesium carbonate, forms a film on the surface of black tea and dulls its colour;',
  'very soft water, on the other hand, can make a tea taste thin and sharp. A filter jug takes out chlorine and part',
  'of the hardness, and that alone improves most cups. Bottled spring water with a total dissolved solids figure of',
  'roughly 50 to 150 milligrams per litre is a common recommendation, although the right number depends on the tea.',
  'Kettles matter less than people think: an electric kettle with a temperature setting is convenient, but a plain',
  'kettle and a thermometer do the same job. Storage of the water matters more: do not keep it in open containers',
  'near strong smells. For travel, carry a small filter bottle rather than relying on hotel tap water. Some tea',
  'drinkers keep a log of which water they used with which tea, and after a month or two they usually find that one',
  'or two waters suit most of their teas. Testing strips for hardness are cheap and give a quick first answer. If you',
  'live in an area with very hard water, a mix of filtered tap water and a soft bottled water is a practical middle',
  'ground. Finally, remember that the same water will taste different in a porcelain cup, a glass and a clay pot;',
  'unglazed clay absorbs some minerals over time, which is part of why people dedicate a clay pot to one kind of tea.',
  'None of this replaces good leaves, but it explains why the same leaves can taste so different from one kitchen to',
  'the next, and why a tea that was wonderful at the shop can disappoint at home. The shop probably used better water.',
  'The same is true of ice: ice made from hard tap water clouds an iced tea and gives it a chalky edge, so cold-brew',
  'drinkers who care about clarity freeze filtered water. And when a recipe says "fresh cold water", it means water',
  'straight from a filtered source, not water that has stood in the kettle since the morning.',
].join(' ');

export const RAG_50: RagSample = {
  query: 'What water temperature and steeping time should I use for green tea so it does not taste bitter?',
  documents: [
    /* 0 */ 'Black tea is usually brewed with water at a full boil, around 95–100 °C, for three to five minutes.',
    /* 1 */ 'Our store ships loose-leaf tea in resealable foil bags. Orders above 40 euros ship free within the EU.',
    /* 2 */ 'Matcha is whisked, not steeped: sift 2 g of powder into a bowl, add 70 ml of water and whisk in a W motion until a fine foam forms.',
    /* 3 */ 'Brew green tea with water well below boiling, about 70–80 °C, and steep it for one to three minutes. Hotter water or longer steeping pulls out catechins and makes the cup bitter and astringent.',
    /* 4 */ '红茶的发酵程度最高,冲泡时一般使用沸水,三到五分钟即可出汤。',
    /* 5 */ 'The tea plant, Camellia sinensis, grows best on slopes with acidic soil and plenty of rain.',
    /* 6 */ 'Caffeine content varies more with the leaf grade and the brewing time than with the colour of the tea.',
    /* 7 */ 'Oolong teas are partly oxidised. Many are rolled into tight balls that open slowly over several infusions.',
    /* 8 */ 'Descale your kettle monthly if you live in a hard-water area: fill it with equal parts water and white vinegar, boil, leave for an hour and rinse twice.',
    /* 9 */ 'Herbal "teas" such as chamomile or peppermint contain no tea leaves at all and are brewed with boiling water for five to seven minutes.',
    /* 10 */ 'Tea arrived in Europe in the early seventeenth century through Dutch traders.',
    /* 11 */ '绿茶不宜用沸水冲泡,水温控制在八十度左右为宜,浸泡一到两分钟后出汤,否则茶汤容易苦涩。',
    /* 12 */ 'Pu-erh can be aged for decades. Raw (sheng) pu-erh changes slowly in storage; ripe (shou) pu-erh is fermented quickly in piles.',
    /* 13 */ 'A teapot with a built-in strainer lets the leaves unfurl fully, which a small tea ball does not.',
    /* 14 */ 'Is bitterness always bad? Some drinkers like a strong, brisk cup of Assam with milk precisely because it is bold.',
    /* 15 */ 'Cold brew: put 10 g of leaves in a litre of cold water and leave it in the fridge for eight to twelve hours.',
    /* 16 */ 'Iced tea should be brewed double strength so it is not watery once poured over ice.',
    /* 17 */ 'Die Teezeremonie in Japan heißt chanoyu und folgt festen Abläufen, die über Jahrhunderte überliefert wurden.',
    /* 18 */ 'Tea bags often contain broken leaves and dust, which infuse faster and release tannins sooner than whole leaves.',
    /* 19 */ '緑茶は熱湯ではなく、70〜80度に冷ましたお湯で淹れます。玉露はさらに低い50〜60度で、浸出時間は1〜2分が目安です。',
    /* 20 */ 'White tea is made from young buds that are withered and dried with very little processing.',
    /* 21 */ 'Store tea away from light, air, moisture and strong smells; an opaque, airtight tin in a cupboard is ideal.',
    /* 22 */ 'How much tea? A common starting point is 2–3 g of leaves per 200 ml cup, adjusted to taste.',
    /* 23 */ 'Masala chai simmers black tea with milk, sugar, ginger, cardamom and other spices.',
    /* 24 */ 'Gongfu brewing uses a small pot, a high leaf-to-water ratio and many short infusions of ten to thirty seconds.',
    /* 25 */ 'Thermometers for the kitchen are accurate to about one degree, which is more than enough for tea.',
    /* 26 */ 'Le thé noir se prépare avec une eau frémissante, autour de 90 à 95 °C, pendant trois à quatre minutes.',
    /* 27 */ 'Grüner Tee wird mit Wasser von etwa 70 bis 80 °C aufgegossen und sollte nur ein bis drei Minuten ziehen; kochendes Wasser macht ihn bitter.',
    /* 28 */ 'Green tea contains L-theanine, an amino acid studied for its calming effect.',
    /* 29 */ 'Sencha, gyokuro, bancha and hojicha are all Japanese green teas, but hojicha is roasted and tastes nutty rather than grassy.',
    /* 30 */ 'Bubble tea started in Taiwan in the 1980s and combines tea, milk and tapioca pearls.',
    /* 31 */ 'The second flush of Darjeeling, picked in early summer, gives a fuller, muscatel cup.',
    /* 32 */ 'Why does my tea taste metallic? Often the kettle or an old stainless steel infuser is to blame.',
    /* 33 */ LONG_GUIDE,
    /* 34 */ 'Tea polyphenols are antioxidants; green tea keeps more of them because its leaves are not oxidised.',
    /* 35 */ 'Earl Grey is black tea flavoured with bergamot oil.',
    /* 36 */ 'Rooibos comes from South Africa, is naturally caffeine free and tolerates long steeping without turning bitter.',
    /* 37 */ 'The tea tax was one of the grievances behind the Boston Tea Party of 1773.',
    /* 38 */ 'If your green tea tastes bitter, lower the water temperature first (let boiled water cool for a few minutes, to roughly 75 °C), then shorten the steep to about two minutes, and use a little less leaf.',
    /* 39 */ 'Tea grading terms like FTGFOP describe leaf size and the share of tips, not quality as such.',
    /* 40 */ 'El té verde matcha se cultiva a la sombra durante varias semanas antes de la cosecha, lo que aumenta la clorofila.',
    /* 41 */ 'Yellow tea is rare: the leaves are lightly heaped and covered after fixing, which mellows the flavour.',
    /* 42 */ 'A samovar keeps water hot for hours; Russian tea is served as a strong concentrate diluted with hot water.',
    /* 43 */ 'Milk first or tea first? In a porcelain cup the order changes the taste less than people claim.',
    /* 44 */ 'Sugar masks bitterness, but it also hides the sweetness that a well brewed tea has on its own.',
    /* 45 */ 'Tea leaves can be composted; used leaves are also sometimes scattered on carpets before sweeping to catch dust.',
    /* 46 */ 'Steeping chart — green: 75–80 °C, 1–3 min; white: 80–85 °C, 2–4 min; oolong: 85–95 °C, 2–4 min; black: 95–100 °C, 3–5 min.',
    /* 47 */ 'Mountains, mist and cool nights slow the growth of tea leaves, which is said to concentrate their aroma.',
    /* 48 */ 'Teapots made of Yixing clay are traditionally used for only one type of tea.',
    /* 49 */ 'A water boiler with a keep-warm setting saves energy compared with boiling a full kettle several times a day.',
  ],
  relevant: [3, 11, 19, 27, 38, 46],
};
