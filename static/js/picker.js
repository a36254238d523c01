// Person pickers (organisations.forms.PersonPicker): a person ticked among the search's matches
// joins the people chosen, so that the next search, which replaces the matches, keeps them.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.type !== "checkbox" || !input.closest) { return; }
    var choices = input.closest(".person-choices");
    var label = input.closest("label");
    if (!choices || !label || !input.checked) { return; }
    label.setAttribute("hx-disable", "");
    choices.parentNode.insertBefore(label, choices);
    input.focus();
  });
}());
