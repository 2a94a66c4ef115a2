/* The open hazards on a map (Leaflet, served by the app itself). The points and the map's
   settings are embedded in the page (#hazard-points, #hazard-map-config). */
(function () {
  "use strict";
  var box = document.getElementById("hazard-map");
  if (!box || !window.L) return;
  var points = JSON.parse(document.getElementById("hazard-points").textContent);
  var config = JSON.parse(document.getElementById("hazard-map-config").textContent);
  var map = L.map("hazard-map").setView(config.center, 13);
  if (config.tiles) {
    // Without a reachable tile server the points still show on the plain background.
    L.tileLayer(config.tiles, {maxZoom: 19, attribution: config.attribution}).addTo(map);
  }
  var colours = {low: "#6c757d", medium: "#0d6efd", high: "#fd7e14", critical: "#dc3545"};
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lng], {
      radius: 9, weight: p.overdue ? 4 : 2, color: p.overdue ? "#dc3545" : "#212529",
      fillColor: colours[p.severity] || "#0d6efd", fillOpacity: 0.85
    }).addTo(map);
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = "#" + p.id + " " + p.road;
    box.appendChild(link);
    var info = document.createElement("div");
    info.textContent = p.severity_label + " · " + p.status_label + (p.location ? " · " + p.location : "");
    box.appendChild(info);
    marker.bindPopup(box);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length) { map.fitBounds(bounds, {padding: [24, 24], maxZoom: 16}); }
  box.dataset.points = String(points.length);
})();
