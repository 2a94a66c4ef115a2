/* The black-spot map (Leaflet and Leaflet.heat, served by the app): the accidents with
   injuries or deaths as a heat layer (a fatal one weighs more), the black spots numbered by
   rank, and the open hazards as markers (read from the hazard map's points). */
(function () {
  "use strict";
  var box = document.getElementById("black-spot-map");
  if (!box || !window.L || !window.brigadeTiles) return;
  var heat = JSON.parse(document.getElementById("black-spot-heat").textContent);
  var spots = JSON.parse(document.getElementById("black-spot-points").textContent);
  var config = JSON.parse(document.getElementById("black-spot-map-config").textContent);
  var map = L.map("black-spot-map", {maxZoom: 19}).setView(config.center, 13);
  // a tile server that does not answer leaves a plain background, as on the hazard map
  window.brigadeTiles(map, config, function () { box.classList.add("hazard-map-plain"); });
  var bounds = [];
  // the accidents with injuries or deaths: [lat, lng, weight], a fatal one weighing more
  if (L.heatLayer) {
    L.heatLayer(heat, config.heat).addTo(map);
  }
  heat.forEach(function (p) { bounds.push([p[0], p[1]]); });
  spots.forEach(function (s) {
    var icon = document.createElement("div");
    icon.className = "hazard-cluster";
    icon.style.setProperty("--cluster-colour", "#212529");
    icon.textContent = String(s.rank);
    icon.title = s.name + " · " + s.accidents;
    L.marker([s.lat, s.lng], {
      icon: L.divIcon({html: icon, className: "hazard-cluster-icon", iconSize: L.point(36, 36)})
    }).addTo(map);
    bounds.push([s.lat, s.lng]);
  });
  fetch(config.hazards_url, {credentials: "same-origin"})
    .then(function (r) { return r.ok ? r.json() : {points: []}; })
    .then(function (data) {
      data.points.forEach(function (p) {
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = "#" + p.id + " " + p.road;
        L.circleMarker([p.lat, p.lng], {
          radius: 8, weight: 2, color: "#212529", fillColor: "#0d6efd", fillOpacity: 0.9
        }).bindPopup(link).addTo(map);
      });
    })
    .catch(function () { /* the spots show without the hazards */ });
  if (bounds.length) { map.fitBounds(bounds, {padding: [24, 24], maxZoom: 16}); }
  box.dataset.heatPoints = String(heat.length);
})();
