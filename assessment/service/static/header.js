// The book's header: the signed-in cadre's name instead of "Đăng nhập" (no JS: the link stays).
(function () {
  "use strict";
  var link = document.querySelector(".hv-header .hv-login");
  if (!link) return;
  fetch("/hoc-vien/me.json", {credentials: "same-origin"})
    .then(function (response) { return response.ok ? response.json() : {}; })
    .then(function (me) {
      if (me && me.name) {
        link.textContent = me.name;
        link.setAttribute("href", "/hoc-vien/");
      }
    })
    .catch(function () {});
})();
