// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // After a refused form, take keyboard and screen-reader users straight to what is wrong.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
