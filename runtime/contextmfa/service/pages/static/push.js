/* Push on the hosted pages: ask the page's poll endpoint whether the phone has answered, as
 * often as it allows (it answers the interval to wait), then go where it says. */
"use strict";

(function () {
  function setUp(box) {
    const url = box.dataset.poll;
    const csrf = box.dataset.csrf;
    let interval = Number(box.dataset.interval) || 5;
    const spinner = box.querySelector(".spinner");
    const text = box.querySelector(".poll-text");
    const alert = box.querySelector(".alert-error");
    spinner.hidden = false;

    function stop(message) {
      spinner.hidden = true;
      text.textContent = "Stopped waiting.";
      alert.textContent = message;
      alert.hidden = false;
    }

    async function poll() {
      const body = new URLSearchParams({ csrf: csrf });
      const remember = document.getElementById("remember");
      if (remember && remember.checked) {
        body.set("remember", "1");
      }
      let answer;
      try {
        const response = await fetch(url, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        answer = await response.json();
      } catch (error) {
        answer = { status: "pending", interval: interval };
      }
      if (answer.status === "pending") {
        interval = Math.max(Number(answer.interval) || interval, 1);
        window.setTimeout(poll, interval * 1000);
      } else if (answer.status === "done") {
        text.textContent = "Done. Continuing…";
        window.location.assign(answer.location);
      } else {
        stop(answer.message || "Something went wrong. Reload the page to try again.");
      }
    }

    window.setTimeout(poll, interval * 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll]").forEach(setUp);
  });
})();
