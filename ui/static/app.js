// htmx: swap 422 responses too (forms answer bad input with the form and its messages, status 422).
document.addEventListener("DOMContentLoaded", function () {
  if (window.htmx) {
    htmx.config.responseHandling = [
      {code: "204", swap: false},
      {code: "[23]..", swap: true},
      {code: "422", swap: true},
      {code: "[45]..", swap: false, error: true}
    ];
  }
});
