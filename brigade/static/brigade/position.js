/* A form with a place (a hazard, an accident): "Use my position" fills latitude and
   longitude from the phone (templates/brigade/partials/position.html); a road or
   intersection chosen from the register (its option carries data-lat/data-lng) fills them
   when they are still empty. Either announces the new point (a "change" event on the
   fields), so that the form's map (brigade/map_pick.js) moves its marker. */
(function () {
  "use strict";
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  var register = document.getElementById("id_gazetteer_place");

  function fill(lat, lng) {
    latitude.value = lat;
    longitude.value = lng;
    longitude.dispatchEvent(new Event("change", {bubbles: true}));
  }

  if (register && latitude && longitude) {
    register.addEventListener("change", function () {
      var option = register.options[register.selectedIndex];
      if (!option || !option.dataset.lat || latitude.value || longitude.value) { return; }
      fill(option.dataset.lat, option.dataset.lng);
    });
  }
  var button = document.getElementById("use-position");
  var status = document.getElementById("position-status");
  if (!button) { return; }
  if (!("geolocation" in navigator)) { button.hidden = true; return; }
  button.addEventListener("click", function () {
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      fill(pos.coords.latitude.toFixed(6), pos.coords.longitude.toFixed(6));
      status.textContent = button.dataset.found;
    }, function () {
      status.textContent = button.dataset.failed;
    }, {enableHighAccuracy: true, timeout: 10000, maximumAge: 60000});
  });
})();
