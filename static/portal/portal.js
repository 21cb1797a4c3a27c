// Small conveniences on top of pages that work without any script.
(function () {
  "use strict";

  function zoneAbbreviation(zone) {
    try {
      var parts = new Intl.DateTimeFormat("en-GB", { timeZone: zone, timeZoneName: "short" }).formatToParts(new Date());
      var name = parts.find(function (part) { return part.type === "timeZoneName"; });
      return name ? name.value : "";
    } catch (error) {
      return "";
    }
  }

  // The visit form: name the chosen location's time zone, and offer only that location's entrances.
  function setUpVisitForm(form) {
    var location = form.querySelector("select[name=location]");
    var entrance = form.querySelector("select[name=entrance]");
    var note = document.getElementById("zone-note");
    if (!location) return;
    function update() {
      var option = location.options[location.selectedIndex];
      var zone = option && option.dataset.timezone;
      if (note && zone) {
        note.textContent = note.dataset.prefix + " " + zoneAbbreviation(zone) + ", " + zone;
      }
      if (entrance) {
        Array.prototype.forEach.call(entrance.querySelectorAll("option[data-location]"), function (opt) {
          var other = opt.dataset.location !== location.value;
          opt.hidden = other;
          opt.disabled = other;
          if (other && opt.selected) entrance.value = "";
        });
        Array.prototype.forEach.call(entrance.querySelectorAll("optgroup"), function (group) {
          group.hidden = !group.querySelector("option:not([hidden])");
        });
      }
    }
    location.addEventListener("change", update);
    update();
  }

  function init() {
    var form = document.getElementById("visit-form");
    if (form) setUpVisitForm(form);
  }
  document.addEventListener("DOMContentLoaded", init);
})();
