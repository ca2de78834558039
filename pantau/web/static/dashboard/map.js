/* The dashboard's map: Pantau's own GeoJSON polygons (no tile layer, nothing from the
   internet), coloured by situation; a click on an area opens its dashboard; circle markers for
   located reports and open problems. Refetched every data-refresh seconds (60). */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var COLOURS = { rawan: "#a4141a", waspada: "#e8a317", aman: "#1d7a3c", unknown: "#b9c2ce" };
  var SEVERITY = { kritis: "#a4141a", tinggi: "#c2410c", sedang: "#e8a317", rendah: "#5b6573" };
  var status = document.getElementById("map-status");
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false });
  var outline = L.layerGroup().addTo(map);
  var areas = L.layerGroup().addTo(map);
  var markers = L.layerGroup().addTo(map);
  var fitted = false;

  function esc(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function go(code) {
    var url = new URL(el.dataset.dashboardUrl, window.location.href);
    url.searchParams.set("region", code);
    window.location.href = url.toString();
  }

  function draw(data) {
    outline.clearLayers();
    areas.clearLayers();
    markers.clearLayers();
    if (data.outline) {
      L.geoJSON(data.outline, {
        interactive: false,
        style: { className: "region-outline", color: "#14325c", weight: 2, fill: false }
      }).addTo(outline);
    }
    var layer = L.geoJSON(data, {
      style: function (f) {
        var p = f.properties;
        return {
          className: "region-child " + p.level + " sit-" + p.situation,
          color: "#ffffff",
          weight: 1.5,
          fillColor: COLOURS[p.situation] || COLOURS.unknown,
          fillOpacity: 0.7
        };
      },
      onEachFeature: function (f, lyr) {
        var p = f.properties;
        lyr.bindTooltip(
          "<strong>" + esc(p.name) + "</strong><br>" + esc(p.situation) +
          " · " + esc(p.problems_open) + " / " + esc(p.problems_overdue)
        );
        lyr.on("click", function () { go(p.code); });
        lyr.on("add", function () {
          var path = lyr.getElement && lyr.getElement();
          if (path) {
            path.setAttribute("data-code", p.code);
            path.setAttribute("data-situation", p.situation);
          }
        });
      }
    }).addTo(areas);
    (data.markers || []).forEach(function (m) {
      var colour = m.kind === "problem" ? (SEVERITY[m.severity] || "#5b6573")
                                        : (COLOURS[m.situation] || COLOURS.unknown);
      L.circleMarker([m.lat, m.lon], {
        className: "marker marker-" + m.kind,
        radius: m.kind === "problem" ? 7 : 5,
        color: m.kind === "problem" ? "#1d2430" : "#ffffff",
        weight: 2,
        fillColor: colour,
        fillOpacity: 0.95
      }).bindPopup('<a href="' + esc(m.url) + '">' + esc(m.title) + "</a>").addTo(markers);
    });
    if (!fitted) {
      var bounds = layer.getBounds();
      if (!bounds.isValid() && data.outline) bounds = L.geoJSON(data.outline).getBounds();
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
      else map.setView([-7.8, 113.3], 10);
      fitted = true;
    }
    el.setAttribute("data-drawn", String(data.features.length));
    el.setAttribute("data-markers", String((data.markers || []).length));
    if (status) status.textContent = "";
  }

  function load() {
    fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(draw)
      .catch(function () {
        if (status) status.textContent = "⚠";
      });
  }

  load();
  var seconds = Math.max(60, parseInt(el.dataset.refresh || "60", 10));
  window.setInterval(load, seconds * 1000);
})();
