/* The open hazards on a map (Leaflet and Leaflet.markercluster, served by the app itself).
   The points and the map's settings are embedded in the page (#hazard-points,
   #hazard-map-config). Points close together are gathered in a cluster showing their number;
   a click on it zooms in (or, where they share one spot, spreads them out). Without a tile
   server, or when it does not answer, the points show on a plain background. For those who
   see black spots, a layer to switch on (the layer control): "Accident heat", the accidents
   with injuries or deaths of the black spots' window, read from the black-spot page's
   endpoint when first shown. */
(function () {
  "use strict";
  var box = document.getElementById("hazard-map");
  if (!box || !window.L || !window.brigadeTiles) return;
  var points = JSON.parse(document.getElementById("hazard-points").textContent);
  var config = JSON.parse(document.getElementById("hazard-map-config").textContent);
  var map = L.map("hazard-map", {maxZoom: 19}).setView(config.center, 13);
  var touch = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;

  function plain(failed) {
    box.classList.add("hazard-map-plain");
    var note = document.querySelector("[data-testid=map-no-tiles]");
    if (!note) return;
    note.hidden = false;
    if (failed) {
      note.querySelector("[data-testid=map-no-tiles-configured]").hidden = true;
      note.querySelector("[data-testid=map-tiles-failed]").hidden = false;
    }
  }

  window.brigadeTiles(map, config, plain);

  var colours = config.colours;
  var order = config.severity_order;  // least severe first

  function worst(markers) {
    var rank = -1;
    markers.forEach(function (marker) {
      rank = Math.max(rank, order.indexOf(marker.options.severity));
    });
    return order[rank];
  }

  var group = L.markerClusterGroup({
    maxClusterRadius: 48,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    iconCreateFunction: function (cluster) {
      var markers = cluster.getAllChildMarkers();
      var count = cluster.getChildCount();
      var severity = worst(markers);
      var overdue = markers.some(function (marker) { return marker.options.overdue; });
      var icon = document.createElement("div");
      icon.className = "hazard-cluster" + (overdue ? " hazard-cluster-overdue" : "");
      icon.style.setProperty("--cluster-colour", colours[severity] || "#6c757d");
      icon.setAttribute("data-testid", "map-cluster");
      icon.setAttribute("data-count", String(count));
      icon.setAttribute("data-severity", severity || "");
      icon.textContent = String(count);
      // its number for the mouse's hint and for screen readers
      icon.title = config.cluster_label.replace("%(count)s", String(count));
      icon.setAttribute("aria-label", icon.title);
      var size = count < 10 ? 44 : count < 100 ? 50 : 58;
      return L.divIcon({html: icon, className: "hazard-cluster-icon", iconSize: L.point(size, size)});
    }
  });
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lng], {
      radius: touch ? 12 : 9, weight: p.overdue ? 4 : 2,
      color: p.overdue ? config.overdue_colour : "#212529",
      fillColor: colours[p.severity] || colours.medium, fillOpacity: 0.85,
      severity: p.severity, overdue: p.overdue
    });
    var popup = document.createElement("div");
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = "#" + p.id + " " + p.road;
    popup.appendChild(link);
    var info = document.createElement("div");
    info.textContent = p.severity_label + " · " + p.status_label + (p.location ? " · " + p.location : "");
    popup.appendChild(info);
    marker.bindPopup(popup);
    group.addLayer(marker);
    bounds.push([p.lat, p.lng]);
  });
  map.addLayer(group);
  if (config.heat_url && L.heatLayer) {
    var heat = L.heatLayer([]);
    var asked = false;
    heat.on("add", function () {
      if (asked) return;
      asked = true;
      fetch(config.heat_url, {credentials: "same-origin"})
        .then(function (r) { return r.ok ? r.json() : {points: []}; })
        .then(function (data) {
          // drawn as the black-spot page draws them (the options come with the points)
          if (data.options) heat.setOptions(data.options);
          heat.setLatLngs(data.points || []);
          box.dataset.heatPoints = String((data.points || []).length);
          // no hazard on the map: show where the accidents are
          if (!bounds.length && data.points && data.points.length) {
            map.fitBounds(data.points.map(function (p) { return [p[0], p[1]]; }),
                          {padding: [24, 24], maxZoom: 16});
          }
        })
        .catch(function () { box.dataset.heatPoints = "0"; });
    });
    var overlays = {};
    overlays[config.hazards_label] = group;
    overlays[config.heat_label] = heat;
    L.control.layers(null, overlays, {collapsed: false}).addTo(map);
  }
  if (bounds.length) { map.fitBounds(bounds, {padding: [24, 24], maxZoom: 16}); }
  box.dataset.points = String(points.length);
})();
