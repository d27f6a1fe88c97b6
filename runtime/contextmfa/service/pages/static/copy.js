/* Copy buttons: copy the secret of the element a button names (data-copy), without the spaces
 * it is grouped with for reading. */
"use strict";

(function () {
  function setUp(button) {
    const target = document.getElementById(button.dataset.copy);
    const status = document.querySelector('[data-copy-status="' + button.dataset.copy + '"]');
    if (!target || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", async function () {
      try {
        await navigator.clipboard.writeText(target.dataset.secret);
        status.textContent = "Copied to the clipboard.";
      } catch (error) {
        const range = document.createRange();
        range.selectNodeContents(target);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        status.textContent = "Selected: copy it with your keyboard or menu.";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copy]").forEach(setUp);
  });
})();
