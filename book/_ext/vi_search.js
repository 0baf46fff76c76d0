/*
 * Vietnamese search, query side. vi_search.py embeds this file in language_data.js
 * (as the "stemmer" code of the search language `vi`), so it runs on the search page
 * after Sphinx's searchtools.js and before the index is loaded.
 *
 * 1. Folding and splitting, the same as fold() and split_syllables() in vi_search.py:
 *    "Quyền trẻ em" and "quyen tre em" both become the terms quyen, tre, em.
 * 2. Three small overrides of searchtools.js (Sphinx 7.4):
 *    - Search._parseQuery: fold every term and keep numbers (Sphinx drops "1079");
 *    - Search.query: after Sphinx's own scoring, add a phrase bonus (rankPhrases) and
 *      sort again; the search index has no word positions, so the bonus reads the
 *      titles from the index and the text of each candidate page, which Sphinx
 *      fetches anyway to show its summary (that text also gives the spellings with
 *      diacritics to highlight);
 *    - Search.makeSearchSummary: find the folded terms in the page text, so that the
 *      summary shows the passage that matched.
 */

/** Lower case, no diacritics, đ -> d: "Đảng" -> "dang". */
var foldVietnamese = (text) =>
  text.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/\p{Mn}/gu, "");

/** Fold character by character, so that an index in the result is an index in `text`. */
var foldKeepingPositions = (text) =>
  Array.from(text, (char) => {
    const folded = foldVietnamese(char);
    return folded.length === char.length ? folded : char;
  }).join("");

/** Syllables and numbers of a text, diacritics kept. */
splitQuery = (query) =>
  query
    .normalize("NFC")
    .split(/[^\p{Letter}\p{Number}]+/u)
    .filter((term) => term);

var Stemmer = function () {
  this.stemWord = (word) => foldVietnamese(word);
};

/** Bonus points added to Sphinx's score (title match 15, text match 5). */
var PHRASE_BONUS = {
  pageTitle: 30, // the whole query, in order, in the page title
  sectionTitle: 15, // ... in a section title of the page
  text: 10, // ... somewhere in the page text
  perOccurrence: 1, // ... for each further occurrence in the text, up to maxOccurrences
  maxOccurrences: 10,
  exact: 5, // the query typed with diacritics appears exactly so in the page text
};

/** " quyen tre em " for any text: folded syllables, single spaces, padded. */
var phraseForm = (text, fold = foldVietnamese) =>
  ` ${splitQuery(text).map((word) => fold(word.toLowerCase())).join(" ")} `;

var countOccurrences = (haystack, needle) => {
  let count = 0;
  for (let at = haystack.indexOf(needle); at > -1; at = haystack.indexOf(needle, at + 1))
    count += 1;
  return count;
};

/**
 * Add phrase bonuses to Sphinx's results ([docname, title, anchor, descr, score, file]).
 * Returns the spellings met in the pages of the query's syllables ("quyền" for "quyen"),
 * so that the results highlight them.
 */
var rankPhrases = async (results, query) => {
  const words = splitQuery(query.trim());
  const phrase = phraseForm(query);
  const exact = phraseForm(query, (word) => word);
  const hasDiacritics = exact !== phrase;
  const terms = new Set(words.map((word) => foldVietnamese(word)));
  const spellings = new Set();
  if (words.length < 2 && !hasDiacritics) return spellings;

  const index = Search._index;
  const sectionTitles = new Map();
  for (const [title, places] of Object.entries(index.alltitles))
    for (const [file, id] of places)
      if (id !== null) sectionTitles.set(file, (sectionTitles.get(file) || []).concat(title));

  const contentRoot = document.documentElement.dataset.content_root;
  const suffix = DOCUMENTATION_OPTIONS.FILE_SUFFIX;
  await Promise.all(
    results.map(async (result) => {
      const file = index.docnames.indexOf(result[0]);
      let bonus = 0;
      if (words.length > 1) {
        if (phraseForm(index.titles[file] || "").includes(phrase)) bonus += PHRASE_BONUS.pageTitle;
        if ((sectionTitles.get(file) || []).some((title) => phraseForm(title).includes(phrase)))
          bonus += PHRASE_BONUS.sectionTitle;
      }
      try {
        const response = await fetch(contentRoot + result[0] + suffix);
        const text = Search.htmlToText(await response.text());
        for (const word of splitQuery(text)) {
          const lower = word.toLowerCase();
          if (terms.has(foldVietnamese(lower))) spellings.add(lower);
        }
        const count = countOccurrences(phraseForm(text), phrase);
        if (words.length > 1 && count > 0)
          bonus += PHRASE_BONUS.text +
            PHRASE_BONUS.perOccurrence * Math.min(count - 1, PHRASE_BONUS.maxOccurrences);
        if (hasDiacritics && phraseForm(text, (word) => word).includes(exact))
          bonus += PHRASE_BONUS.exact;
      } catch (error) {
        // Opened from disk (file://) or the page is gone: keep Sphinx's score.
      }
      result[4] += bonus;
    })
  );
  return spellings;
};

if (typeof Search !== "undefined") {
  Search._parseQuery = (query) => {
    const words = splitQuery(query.trim());
    const searchTerms = new Set(words.map((word) => foldVietnamese(word)));
    const highlightTerms = new Set(words.map((word) => word.toLowerCase()));
    if (SPHINX_HIGHLIGHT_ENABLED)
      localStorage.setItem("sphinx_highlight_terms", [...highlightTerms].join(" "));
    // The folded query goes on to Sphinx's title matching, so that a query with or
    // without diacritics gets the same results. The book documents no API objects.
    return [[...searchTerms].join(" "), searchTerms, new Set(), highlightTerms, new Set()];
  };

  Search.query = async (query) => {
    const [folded, terms, excluded, highlight, objects] = Search._parseQuery(query);
    const results = Search._performSearch(folded, terms, excluded, highlight, objects);
    for (const spelling of await rankPhrases(results, query)) highlight.add(spelling);
    if (SPHINX_HIGHLIGHT_ENABLED)
      localStorage.setItem("sphinx_highlight_terms", [...highlight].join(" "));
    results.sort(_orderResultsByScoreThenName);
    _displayNextItem(results, results.length, terms, highlight);
  };

  Search.makeSearchSummary = (htmlText, keywords, anchor) => {
    const text = Search.htmlToText(htmlText, anchor);
    if (text === "") return null;
    const folded = foldKeepingPositions(text);
    const found = [...keywords].map((word) => folded.indexOf(word)).filter((at) => at > -1);
    const start = Math.max((found.length ? Math.min(...found) : 0) - 120, 0);
    const summary = document.createElement("p");
    summary.classList.add("context");
    summary.textContent =
      (start === 0 ? "" : "...") +
      text.substr(start, 240).trim() +
      (start + 240 < text.length ? "..." : "");
    return summary;
  };
}
