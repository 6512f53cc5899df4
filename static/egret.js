// Egret: small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm before disabling a user or other destructive form actions marked data-confirm.
  document.querySelectorAll("form[data-confirm]").forEach((f) => {
    f.addEventListener("submit", (e) => {
      if (!window.confirm(f.dataset.confirm)) e.preventDefault();
    });
  });
});
