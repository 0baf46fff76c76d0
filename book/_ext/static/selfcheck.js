// Turns each practice question (.selfcheck) into buttons that say right or wrong.
// Without JavaScript the question still reads, and the answer sits in <details>.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".selfcheck").forEach((question) => {
    const answer = question.dataset.answer;
    const feedback = question.querySelector(".selfcheck-feedback");
    const solution = question.querySelector(".selfcheck-solution");
    const items = question.querySelectorAll(".selfcheck-options > li");
    question.classList.add("selfcheck-interactive");
    items.forEach((item, index) => {
      const letter = String.fromCharCode(65 + index);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "selfcheck-choice";
      button.dataset.letter = letter;
      button.innerHTML = `<span class="selfcheck-letter">${letter}.</span> ` + item.innerHTML;
      item.replaceChildren(button);
      button.addEventListener("click", () => {
        const right = letter === answer;
        items.forEach((other) => {
          const otherButton = other.querySelector("button");
          otherButton.classList.remove("selfcheck-right", "selfcheck-wrong");
          otherButton.setAttribute("aria-pressed", "false");
        });
        button.classList.add(right ? "selfcheck-right" : "selfcheck-wrong");
        button.setAttribute("aria-pressed", "true");
        feedback.hidden = false;
        feedback.className = "selfcheck-feedback " + (right ? "is-right" : "is-wrong");
        feedback.textContent = right
          ? "Đúng rồi!"
          : `Chưa đúng: bạn chọn ${letter}. Hãy đọc giải thích bên dưới.`;
        solution.open = true;
      });
    });
  });
});
