// Saves each answer on the server as soon as it is chosen (the form works without this).
(function () {
  "use strict";
  var form = document.querySelector("form.hv-quiz");
  if (!form) return;
  var url = form.getAttribute("data-save");
  var token = form.querySelector("input[name=csrf_token]").value;
  // The time left (the server enforces it; this only shows it and reloads when it is over).
  var holder = document.querySelector("[data-deadline]");
  var deadline = holder ? Date.parse(holder.getAttribute("data-deadline")) : NaN;
  var timer = document.querySelector(".hv-timer");
  if (timer && !isNaN(deadline) && deadline - Date.now() < 86400000) {
    timer.hidden = false;
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      timer.querySelector(".hv-left").textContent =
        (h ? h + " giờ " : "") + m + " phút " + (s < 10 ? "0" : "") + s + " giây";
      if (left === 0) { setTimeout(function () { window.location.reload(); }, 16000); return; }
      setTimeout(tick, 1000);
    };
    tick();
  }
  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-cau]");
    if (!fieldset) return;
    var number = fieldset.getAttribute("data-cau");
    var note = fieldset.querySelector(".hv-saved");
    var body = new URLSearchParams();
    var picked = [];
    body.append("cau", number);
    fieldset.querySelectorAll("input:checked").forEach(function (input) {
      body.append(input.name, input.value);
      picked.push(input.value);
    });
    // What the server now holds for this question: a later post of the whole form then
    // leaves it alone unless it is changed again (another tab may change it meanwhile).
    var shown = form.querySelector("input[type=hidden][name=d" + number + "]");
    note.textContent = "Đang lưu…";
    fetch(url, {method: "POST", body: body, credentials: "same-origin",
                headers: {"X-CSRFToken": token}})
      .then(function (response) { return response.json().then(function (data) {
        if (data.ok && shown) shown.value = picked.join(",");
        note.textContent = data.ok ? "Đã lưu." : (data.message || "Chưa lưu được.");
        if (!data.ok && response.status === 409) window.location.reload();
      }); })
      .catch(function () { note.textContent = "Chưa lưu được (mất mạng?). Bấm «Lưu câu trả lời» khi có mạng lại."; });
  });
})();
