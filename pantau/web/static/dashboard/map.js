/* The dashboard's map: Pantau's own GeoJSON polygons (no tile layer, nothing from the
   internet), coloured by situation and, for readers who cannot tell the colours apart, hatched
   (rawan) or dotted (waspada) with a heavier border; every area's name drawn on it (names that
   would overlap give way to the areas in worse trouble); a tap on an area opens its panel
   (situation, open problems by severity, overdue, reporting rate, a link to its dashboard);
   circle markers for located reports and open problems. Refetched every data-refresh
   seconds (60). The words come from the page (#map-words, in the user's language). */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || !window.L) return;
  var COLOURS = { rawan: "#a4141a", waspada: "#e8a317", aman: "#1d7a3c", unknown: "#b9c2ce" };
  var SEVERITY = { kritis: "#a4141a", tinggi: "#c2410c", sedang: "#e8a317", rendah: "#5b6573" };
  var PATTERN = { rawan: "url(#pat-rawan)", waspada: "url(#pat-waspada)" };
  var BORDER = { rawan: ["#3d0407", 3], waspada: ["#5c3b00", 2.5] };
  var RANK = { rawan: 0, waspada: 1, aman: 2, unknown: 3 };
  var words = JSON.parse((document.getElementById("map-words") || {}).textContent || "{}");
  var status = document.getElementById("map-status");
  var labels = [];
  patterns();
  var map = L.map(el, { zoomSnap: 0.25, attributionControl: false, zoomControl: false });
  L.control.zoom({ position: "bottomright" }).addTo(map);
  // On a phone an area's panel can reach the corner: the zoom buttons step aside while it is open.
  map.on("popupopen", function () { el.classList.add("panel-open"); });
  map.on("popupclose", function () { el.classList.remove("panel-open"); });
  var outline = L.layerGroup().addTo(map);
  var areas = L.layerGroup().addTo(map);
  var markers = L.layerGroup().addTo(map);
  var fitted = false;

  function esc(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function link(code) {
    var url = new URL(el.dataset.dashboardUrl, window.location.href);
    url.searchParams.set("region", code);
    return url.toString();
  }

  // The fills of the areas in trouble: the colour with a pattern drawn over it.
  function patterns() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("width", "0");
    svg.setAttribute("height", "0");
    svg.setAttribute("aria-hidden", "true");
    svg.style.position = "absolute";
    svg.innerHTML =
      '<defs><pattern id="pat-rawan" patternUnits="userSpaceOnUse" width="8" height="8" ' +
      'patternTransform="rotate(45)"><rect width="8" height="8" fill="' + COLOURS.rawan + '"/>' +
      '<rect width="3" height="8" fill="#ffffff" fill-opacity="0.55"/></pattern>' +
      '<pattern id="pat-waspada" patternUnits="userSpaceOnUse" width="7" height="7">' +
      '<rect width="7" height="7" fill="' + COLOURS.waspada + '"/>' +
      '<circle cx="3.5" cy="3.5" r="1.4" fill="#3d2a00"/></pattern></defs>';
    document.body.appendChild(svg);
  }

  function panel(p) {
    var sit = (words.situations || {})[p.situation] || p.situation;
    var sev = [];
    Object.keys(words.severities || {}).forEach(function (code) {
      var n = (p.by_severity || {})[code];
      if (n) sev.push(esc(n) + " " + esc(words.severities[code]));
    });
    var rate = p.reporting_rate == null ? words.no_rate : Math.round(p.reporting_rate * 100) + "%";
    return '<div class="area-panel" data-code="' + esc(p.code) + '">' +
      "<h3>" + esc(p.name) + "</h3>" +
      '<p><span class="badge sit-' + esc(p.situation) + '">' + esc(sit) + "</span></p>" +
      "<dl>" +
      "<dt>" + esc(words.open) + "</dt><dd><strong>" + esc(p.problems_open) + "</strong>" +
      (sev.length ? " (" + sev.join(", ") + ")" : "") + "</dd>" +
      "<dt>" + esc(words.overdue) + "</dt><dd>" + esc(p.problems_overdue) + "</dd>" +
      "<dt>" + esc(words.reports) + "</dt><dd>" + esc(p.reports) + "</dd>" +
      "<dt>" + esc(words.rate) + "</dt><dd>" + esc(rate) + "</dd>" +
      "</dl>" +
      '<a class="button" href="' + esc(link(p.code)) + '">' +
      esc((words.open_dashboard || "%(name)s").replace("%(name)s", p.name)) + "</a></div>";
  }

  // Names that would overlap: the area in worse trouble (then the larger one) keeps its name.
  function declutter() {
    var kept = [];
    labels.slice().sort(function (a, b) { return a.rank - b.rank || b.size - a.size; })
      .forEach(function (l) {
        var node = l.tooltip.getElement();
        if (!node) return;
        node.style.visibility = "";
        var r = node.getBoundingClientRect();
        var clash = kept.some(function (k) {
          return r.left < k.right && r.right > k.left && r.top < k.bottom && r.bottom > k.top;
        });
        if (clash) node.style.visibility = "hidden";
        else kept.push(r);
        node.setAttribute("data-shown", clash ? "false" : "true");
      });
  }
  map.on("zoomend moveend", declutter);

  // A wide regency on a narrow phone: the map no taller than the areas need (never taller than
  // its stylesheet says), so the page does not carry an empty band; tall enough to hold an
  // area's panel whole, its link included (about 230 px on a phone).
  function shrinkTo(bounds) {
    var z = map.getBoundsZoom(bounds, false);
    var a = map.project(bounds.getNorthWest(), z), b = map.project(bounds.getSouthEast(), z);
    var w = Math.abs(b.x - a.x), h = Math.abs(b.y - a.y);
    if (!w || !h) return;
    var width = el.clientWidth - 16;
    var need = Math.ceil((width * h) / w) + 24;
    if (need < el.clientHeight) {
      el.style.height = Math.max(need, 248) + "px";
      map.invalidateSize(false);
    }
  }

  function draw(data) {
    outline.clearLayers();
    areas.clearLayers();
    markers.clearLayers();
    labels = [];
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
          color: (BORDER[p.situation] || ["#ffffff"])[0],
          weight: (BORDER[p.situation] || [0, 1.5])[1],
          fillColor: PATTERN[p.situation] || COLOURS[p.situation] || COLOURS.unknown,
          fillOpacity: p.situation === "unknown" ? 0.55 : 0.8
        };
      },
      onEachFeature: function (f, lyr) {
        var p = f.properties;
        lyr.bindTooltip(esc(p.name), {
          permanent: true,
          direction: "center",
          className: "area-label label-" + p.situation
        });
        lyr.bindPopup(panel(p), { maxWidth: 260, autoPanPadding: [12, 12] });
        var b = lyr.getBounds();
        labels.push({
          tooltip: lyr.getTooltip(),
          rank: RANK[p.situation] == null ? 4 : RANK[p.situation],
          size: Math.abs((b.getNorth() - b.getSouth()) * (b.getEast() - b.getWest()))
        });
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
      if (bounds.isValid()) {
        shrinkTo(bounds);
        map.fitBounds(bounds, { padding: [8, 8] });
      }
      else map.setView([-7.8, 113.3], 10);
      fitted = true;
    }
    declutter();
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
