// Quick exit: leave for a neutral site and replace this page in the history, so "Back"
// does not bring the portal up again. Without JavaScript the link still leaves.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("[data-exit]");
  if (!link) return;
  event.preventDefault();
  try { history.replaceState(null, "", "/"); } catch (e) {}
  window.location.replace(link.href);
});
