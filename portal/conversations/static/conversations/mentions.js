/* The mention picker of a comment form (form[data-mentions], templates/portal/conversations/thread.html).
   Typing @ and some letters in the textarea lists, under it, the people the author may mention (asked of the
   form's data-mentions URL, which applies the mention service's own rule); arrow keys move through them, Enter or
   Tab inserts "@their.address@example.com " (the token the mention parser reads), Escape closes the list. The
   textarea points at the active suggestion with aria-activedescendant and a polite live region says how many
   there are. Without JavaScript people type the address themselves, as the help text says.
   Event delegation on the document: forms that htmx swaps in work without being set up again. */
(function () {
  "use strict";
  if (window.porticoMentions) return;
  window.porticoMentions = true;

  var TOKEN = /(^|\s)@([\w.+-]{1,60})$/;
  var state = { textarea: null, people: [], active: -1, start: 0, end: 0, sequence: 0, timer: null };

  function partsOf(textarea) {
    var form = textarea.closest("form[data-mentions]");
    if (!form) return null;
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[aria-live]");
    return list ? { form: form, list: list, status: status } : null;
  }

  function close(textarea) {
    var parts = textarea && partsOf(textarea);
    if (parts) {
      parts.list.hidden = true;
      parts.list.replaceChildren();
    }
    if (textarea) textarea.removeAttribute("aria-activedescendant");
    state.people = [];
    state.active = -1;
  }

  // The words come from the template (data-* on the list), translated there; {name} and {count} are filled in.
  function say(parts, key, values) {
    var text = parts.list.dataset[key] || "";
    Object.keys(values || {}).forEach(function (name) { text = text.replace("{" + name + "}", values[name]); });
    if (parts.status) parts.status.textContent = text;
  }

  function activate(textarea, index) {
    var parts = partsOf(textarea);
    if (!parts || !state.people.length) return;
    state.active = (index + state.people.length) % state.people.length;
    Array.prototype.forEach.call(parts.list.children, function (option, position) {
      option.setAttribute("aria-selected", position === state.active ? "true" : "false");
    });
    var current = parts.list.children[state.active];
    textarea.setAttribute("aria-activedescendant", current.id);
    current.scrollIntoView({ block: "nearest" });
  }

  function show(textarea, people) {
    var parts = partsOf(textarea);
    if (!parts) return;
    state.people = people;
    parts.list.replaceChildren();
    if (!people.length) {
      close(textarea);
      say(parts, "none");
      return;
    }
    people.forEach(function (person, position) {
      var option = document.createElement("li");
      option.id = parts.list.id + "-" + position;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      var name = document.createElement("span");
      name.className = "mention-name";
      name.textContent = person.name;
      var address = document.createElement("span");
      address.className = "mention-address";
      address.textContent = person.email;
      option.append(name, address);
      option.addEventListener("mousedown", function (event) { event.preventDefault(); });
      option.addEventListener("click", function () { insert(textarea, position); });
      parts.list.append(option);
    });
    parts.list.hidden = false;
    activate(textarea, 0);
    if (people.length === 1) say(parts, "one", { name: people[0].name });
    else say(parts, "many", { count: String(people.length) });
  }

  function insert(textarea, index) {
    var person = state.people[index];
    if (!person) return;
    var text = "@" + person.email + " ";
    textarea.value = textarea.value.slice(0, state.start) + text + textarea.value.slice(state.end);
    var caret = state.start + text.length;
    textarea.focus();
    textarea.setSelectionRange(caret, caret);
    var parts = partsOf(textarea);
    close(textarea);
    if (parts) say(parts, "told", { name: person.name });
  }

  function lookUp(textarea) {
    var parts = partsOf(textarea);
    if (!parts) return;
    var caret = textarea.selectionStart;
    var match = TOKEN.exec(textarea.value.slice(0, caret));
    if (!match) {
      close(textarea);
      return;
    }
    state.textarea = textarea;
    state.start = caret - match[2].length - 1;
    state.end = caret;
    var internal = parts.form.querySelector("input[name=internal]:checked");
    var url = new URL(parts.form.dataset.mentions, window.location.href);
    url.searchParams.set("q", match[2]);
    url.searchParams.set("internal", internal && internal.value === "on" ? "1" : "0");
    var sequence = ++state.sequence;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { people: [] }; })
      .then(function (data) { if (sequence === state.sequence) show(textarea, data.people || []); })
      .catch(function () { if (sequence === state.sequence) close(textarea); });
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || !partsOf(textarea)) return;
    window.clearTimeout(state.timer);
    state.timer = window.setTimeout(function () { lookUp(textarea); }, 150);
  });

  document.addEventListener("keydown", function (event) {
    var textarea = event.target;
    if (!(textarea instanceof HTMLTextAreaElement) || !state.people.length || state.textarea !== textarea) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      activate(textarea, state.active + (event.key === "ArrowDown" ? 1 : -1));
    } else if ((event.key === "Enter" || event.key === "Tab") && state.active >= 0 && !event.shiftKey) {
      event.preventDefault();
      insert(textarea, state.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close(textarea);
    }
  }, true);

  document.addEventListener("focusout", function (event) {
    var textarea = event.target;
    if (textarea instanceof HTMLTextAreaElement && state.textarea === textarea) {
      window.setTimeout(function () { if (document.activeElement !== textarea) close(textarea); }, 150);
    }
  });

  document.addEventListener("change", function (event) {  // internal note or not: who may be mentioned changes
    var input = event.target;
    if (input instanceof HTMLInputElement && input.name === "internal" && state.textarea) close(state.textarea);
  });
})();
