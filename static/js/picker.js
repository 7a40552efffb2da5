// Search-as-you-type for the fields that choose a person, a school or a program (the WAI-ARIA
// combobox pattern, list autocomplete): typing asks the field's picker page for suggestions (an HTML
// fragment, as htmx asks it), Up and Down move through them, Enter or a click chooses one, Escape closes
// the list. Without JavaScript the box stays a plain text box and the server resolves what was typed.
(function () {
  "use strict";
  const DELAY = 150;

  function setUp(input) {
    const listbox = document.getElementById(input.getAttribute("aria-controls"));
    const status = document.getElementById(input.dataset.pickerStatus);
    if (!listbox || !status) return;
    let timer = null;
    let asked = 0; // only the answer to the latest question is shown
    let active = -1;

    function options() {
      return Array.from(listbox.querySelectorAll('[role="option"]'));
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      const all = options();
      if (!all.length) return;
      active = (index + all.length) % all.length;
      all.forEach(function (option, i) {
        const on = i === active;
        option.setAttribute("aria-selected", on ? "true" : "false");
        option.classList.toggle("active", on);
      });
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    }

    function choose(option) {
      input.value = option.dataset.value;
      close();
      status.textContent = option.textContent.trim();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function show(html, number) {
      if (number !== asked) return;
      const holder = document.createElement("template");
      holder.innerHTML = html;
      const list = holder.content.querySelector("ul[data-picker-message]");
      if (!list) return;
      listbox.replaceChildren();
      Array.from(list.querySelectorAll('[role="option"]')).forEach(function (option, i) {
        option.id = listbox.id + "-" + i;
        listbox.appendChild(option);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      const some = listbox.children.length > 0;
      listbox.hidden = !some;
      input.setAttribute("aria-expanded", some ? "true" : "false");
      status.textContent = list.dataset.pickerMessage || "";
    }

    function ask() {
      const query = input.value.trim();
      asked += 1;
      const number = asked;
      if (query.length < 2) {
        close();
        listbox.replaceChildren();
        return;
      }
      const url = new URL(input.dataset.pickerUrl, window.location.href);
      url.searchParams.set("q", query);
      fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : "";
        })
        .then(function (html) {
          show(html, number);
        })
        .catch(function () {
          close();
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      const open = !listbox.hidden && options().length > 0;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (!open) {
          if (options().length) {
            listbox.hidden = false;
            input.setAttribute("aria-expanded", "true");
          } else {
            ask();
            return;
          }
        }
        highlight(event.key === "ArrowDown" ? active + 1 : active < 0 ? -1 : active - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault(); // choosing is not sending the form
        choose(options()[active]);
      } else if (event.key === "Escape" && open) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150); // after a click on an option has landed
    });
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault(); // keep the focus in the box
    });
    listbox.addEventListener("click", function (event) {
      const option = event.target.closest('[role="option"]');
      if (option) choose(option);
    });
  }

  document.querySelectorAll("input[data-picker-url]").forEach(setUp);
})();
