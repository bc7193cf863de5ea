// Copy buttons: <button data-copy-target="#id"> copies the text of the target element.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const target = document.querySelector(button.dataset.copyTarget);
  if (!target) return;
  const text = target.innerText;
  const done = function () {
    const label = button.dataset.copiedLabel || "Copied";
    const original = button.textContent;
    button.textContent = label;
    setTimeout(function () { button.textContent = original; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done);
  } else {
    const area = document.createElement("textarea");
    area.value = text; document.body.appendChild(area); area.select();
    document.execCommand("copy"); document.body.removeChild(area); done();
  }
});

// <select data-submit-on-change> submits its form when a choice is made (the language switch).
// Here rather than in an onchange attribute: the Content-Security-Policy refuses inline code.
document.addEventListener("change", function (event) {
  const field = event.target.closest("[data-submit-on-change]");
  if (field && field.form) field.form.submit();
});

// <fieldset data-shown-when="#select" data-shown-value="v"> shows only while the select holds
// that value (a trunk's "New load balancer"). Without JavaScript it stays visible; the server
// uses it only when that value is chosen.
function certdeskShownWhen() {
  document.querySelectorAll("[data-shown-when]").forEach(function (block) {
    const select = document.querySelector(block.dataset.shownWhen);
    if (select) block.hidden = select.value !== block.dataset.shownValue;
  });
}
document.addEventListener("change", function (event) {
  if (event.target.matches("select")) certdeskShownWhen();
});
certdeskShownWhen();

// Sign preview: a warning about one profile shows only while that profile is selected (the
// server renders the same choice, so it also holds without JavaScript). Issue 10 item 16.
document.addEventListener("change", (event) => {
  if (!event.target.matches("select[name=profile]")) return;
  document.querySelectorAll("[data-profile-warning]").forEach((el) => {
    el.hidden = el.dataset.profileWarning !== event.target.value;
  });
});
