// After a failed submit, move focus to the summary of errors so screen readers announce it
// (WCAG 3.3.1); its links take the reader to each field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
