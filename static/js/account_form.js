// Show only the owner field that matches "Represents"; without JavaScript every field stays visible.
(function () {
  const kind = document.getElementById("id_owner_kind");
  if (!kind) return;
  const fieldFor = { school: "id_school", program: "id_program", staff: "id_owner_staff_email" };
  function update() {
    for (const [value, id] of Object.entries(fieldFor)) {
      const input = document.getElementById(id);
      if (!input) continue;
      const wrapper = input.closest(".mb-3") || input.parentElement;
      wrapper.hidden = kind.value !== value;
    }
  }
  kind.addEventListener("change", update);
  update();
})();
