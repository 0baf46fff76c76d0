// Vietnamese strings that Sphinx's JavaScript shows (search page, search highlights).
// Sphinx copies this file to _static/translations.js in place of its own Vietnamese
// catalog, which leaves these strings empty. Translations match sphinx.po.
Documentation.addTranslations({
    "locale": "vi",
    "messages": {
        ", in ": ", trong ",
        "Hide Search Matches": "Bỏ tô sáng kết quả tìm kiếm",
        "Preparing search...": "Đang chuẩn bị tìm kiếm...",
        "Search Results": "Kết quả tìm kiếm",
        "Search finished, found ${resultCount} page(s) matching the search query.": "Tìm xong: có ${resultCount} trang khớp với từ khóa.",
        "Searching": "Đang tìm",
        "Your search did not match any documents. Please make sure that all words are spelled correctly and that you've selected enough categories.": "Không tìm thấy trang nào. Hãy kiểm tra chính tả, hoặc thử ít từ hơn (có thể gõ không dấu)."
    },
    "plural_expr": "0"
});
