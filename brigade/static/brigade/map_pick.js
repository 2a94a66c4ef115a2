/* Picking a form's point on a small map (templates/brigade/partials/position.html): a tap
   on the map, or dragging its marker, writes latitude and longitude (six decimals); typing
   them, "Use my position" (brigade/position.js) or a place chosen from the register moves
   the marker. The fields stay what the form sends: without this script (or Leaflet) the map
   stays hidden and they are typed as before. Tiles as on the hazard map (none: a plain
   grid). On a phone one finger scrolls the page, not the map: the map zooms with its buttons
   or two fingers, and a tap still places the point. */
(function () {
  "use strict";
  var box = document.getElementById("position-map");
  var latitude = document.getElementById("id_latitude");
  var longitude = document.getElementById("id_longitude");
  if (!box || !latitude || !longitude || !window.L || !window.brigadeTiles) return;
  var help = document.getElementById("position-map-help");
  var register = document.getElementById("id_gazetteer_place");
  var config = JSON.parse(document.getElementById("position-map-config").textContent);

  box.hidden = false;
  if (help) help.hidden = false;
  var map = L.map(box, {maxZoom: 19, scrollWheelZoom: false, dragging: !L.Browser.mobile})
    .setView(config.center, 13);
  window.brigadeTiles(map, config, function () {
    box.classList.add("position-map-plain");
  });

  var marker = null;

  function typed() {
    var lat = parseFloat(latitude.value);
    var lng = parseFloat(longitude.value);
    if (!isFinite(lat) || !isFinite(lng) || Math.abs(lat) > 90 || Math.abs(lng) > 180) {
      return null;
    }
    return L.latLng(lat, lng);
  }

  function show(point, pan) {
    if (!point) {
      if (marker) { map.removeLayer(marker); marker = null; }
      delete box.dataset.marker;
      return;
    }
    if (marker) {
      marker.setLatLng(point);
    } else {
      marker = L.marker(point, {
        draggable: true,
        keyboard: false,
        icon: L.divIcon({className: "position-pin", iconSize: L.point(26, 26)})
      }).addTo(map);
      marker.on("dragend", function () { write(marker.getLatLng()); });
    }
    box.dataset.marker = point.lat.toFixed(6) + "," + point.lng.toFixed(6);
    if (pan) map.setView(point, Math.max(map.getZoom(), 16));
  }

  function write(point) {
    point = point.wrap();
    latitude.value = point.lat.toFixed(6);
    longitude.value = point.lng.toFixed(6);
    show(point, false);
  }

  map.on("click", function (event) { write(event.latlng); });
  [latitude, longitude].forEach(function (field) {
    // typed, or filled by "Use my position" or by the register (which announce it)
    field.addEventListener("change", function () { show(typed(), true); });
    field.addEventListener("input", function () { show(typed(), false); });
  });
  if (register) {
    // the place is shown; the point follows when the register fills the empty fields
    register.addEventListener("change", function () {
      var option = register.options[register.selectedIndex];
      if (option && option.dataset.lat && !typed()) {
        map.setView([parseFloat(option.dataset.lat), parseFloat(option.dataset.lng)], 16);
      }
    });
  }
  show(typed(), true);
})();
