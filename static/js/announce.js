// One polite live region for the whole page (#announcer, in base.html). The server names what an
// htmx update did in an "announce" event (HX-Trigger, organisations.web.announce); a request that
// fails says so too. Setting the text after a tick makes a repeated message heard again.
(function () {
  "use strict";
  function say(text) {
    var region = document.getElementById("announcer");
    if (!region || !text) { return; }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }
  document.addEventListener("announce", function (event) {
    var detail = event.detail || {};
    say(typeof detail === "string" ? detail : detail.value || detail.message);
  });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail && event.detail.xhr ? event.detail.xhr.status : 0;
    say(status === 403 ? "Not saved: you may not change this." : "Not saved: something went wrong. Please try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    say("Not saved: the server could not be reached. Check your connection and try again.");
  });
  // After a swap that brought field errors, move focus to the first invalid field (its error is
  // linked to it by aria-describedby) unless focus is already inside the swapped part.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    var root = target && target.isConnected ? target : document.getElementById(target && target.id);
    if (!root) { return; }
    var invalid = root.querySelector("[aria-invalid='true']");
    if (invalid && !root.contains(document.activeElement)) { invalid.focus(); return; }
    // The focused control was replaced by one without the same id: keep the keyboard user here,
    // not at the top of the page.
    if (document.activeElement === document.body || document.activeElement === null) {
      var control = root.querySelector("button, [href], input:not([type='hidden']), select, textarea");
      if (control) { control.focus(); } else { root.setAttribute("tabindex", "-1"); root.focus(); }
    }
  });
}());
