/* The tiles of every map (the hazard map, the black-spot map, a form's map pick), written
   once: the tile server of the page's map settings (``config.tiles``, ``config.attribution``)
   when one is set. ``plain(failed)`` is called when the map shows a plain background
   instead: none is set (false), or the server answered no tile at all (true; one missing
   tile among others is not a failure), and then it is not asked again. */
window.brigadeTiles = function (map, config, plain) {
  "use strict";
  if (!config.tiles) {
    plain(false);
    return;
  }
  var tiles = L.tileLayer(config.tiles, {maxZoom: 19, attribution: config.attribution});
  var loaded = 0;
  tiles.on("tileload", function () { loaded += 1; });
  tiles.on("tileerror", function () {
    if (loaded) return;
    map.removeLayer(tiles);
    plain(true);
  });
  tiles.addTo(map);
};
