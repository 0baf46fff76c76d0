// Vietnamese for sphinx-copybutton, which ships no Vietnamese: it reads its strings from a
// global `messages` table and a global `locale` when it adds the buttons (DOMContentLoaded),
// and has already built the titles of its two icons when this file runs.
if (typeof messages !== "undefined" && typeof locale !== "undefined") {
  messages.vi = {
    copy: "Sao chép",
    copy_to_clipboard: "Sao chép vào bộ nhớ tạm",
    copy_success: "Đã sao chép!",
    copy_failure: "Không sao chép được",
  };
  for (const key of ["copy_to_clipboard", "copy_success"]) {
    iconCopy = iconCopy.replace(messages[locale][key], messages.vi[key]);
    iconCheck = iconCheck.replace(messages[locale][key], messages.vi[key]);
  }
  locale = "vi";
}
