/* The hand-back: post the assertion to the application at once. Without JavaScript the page
 * shows the same form with its Continue button. */
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  const form = document.querySelector("form[data-autosubmit]");
  if (form) {
    form.submit();
  }
});
