/* The dashboard: its folding sections and its trend charts (ECharts, served by the app itself).
   The data is embedded in the page (#dashboard-data); without JavaScript the tiles and the
   table still show it all, and the sections still open and close. */
(function () {
  "use strict";

  var charts = [];

  function percent(value) {
    return value === null || value === undefined ? null : Math.round(value * 10000) / 100;
  }

  function grouped(value) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString(document.documentElement.lang || undefined, {
      maximumFractionDigits: 1,
    });
  }

  function make(box, option) {
    var lang = (document.documentElement.lang || "").toLowerCase();
    var chart = window.echarts.init(box, null, {
      renderer: "svg",
      locale: lang.indexOf("zh") === 0 ? "ZH" : "EN",
    });
    chart.setOption(option);
    charts.push(chart);
    box.dataset.rendered = "true";
    return chart;
  }

  // A click on a week opens the list of the records its figure counts.
  function recordsUrl(records, key, week) {
    var query = new URLSearchParams({ metric: key, side: "n", week: week });
    if (records.unit !== null && records.unit !== undefined) query.set("unit", records.unit);
    return records.url + "?" + query.toString();
  }

  function openOnClick(chart, weeks, records, keyOf, stacked) {
    if (!records) return;
    if (stacked) {
      // a bar: its part's list for its week
      chart.on("click", function (params) {
        var key = keyOf(params.seriesIndex);
        if (key && weeks[params.dataIndex]) {
          window.location.href = recordsUrl(records, key, weeks[params.dataIndex]);
        }
      });
      return;
    }
    // a line: the week under the pointer anywhere in the plot, not only on its points
    chart.getZr().on("click", function (event) {
      var pixel = [event.offsetX, event.offsetY];
      if (!chart.containPixel("grid", pixel)) return;
      var index = Math.round(chart.convertFromPixel({ seriesIndex: 0 }, pixel)[0]);
      var key = keyOf(0);
      if (key && weeks[index]) {
        window.location.href = recordsUrl(records, key, weeks[index]);
      }
    });
  }

  function lineChart(box, weeks, spec) {
    var rate = spec.is_rate;
    return make(box, {
      animation: false,
      grid: { left: 8, right: 12, top: 12, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "axis",
        valueFormatter: function (value) {
          return rate ? (value === null ? "—" : value + "%") : grouped(value);
        },
      },
      xAxis: { type: "category", data: weeks, axisLabel: { hideOverlap: true } },
      yAxis: {
        type: "value",
        min: 0,
        max: rate ? 100 : null,
        axisLabel: { formatter: rate ? "{value}%" : null },
      },
      series: [
        {
          name: spec.label,
          type: "line",
          showSymbol: false,
          connectNulls: false,
          areaStyle: { opacity: 0.12 },
          data: rate ? spec.values.map(percent) : spec.values,
        },
      ],
    });
  }

  function stackedChart(box, weeks, split) {
    return make(box, {
      animation: false,
      grid: { left: 8, right: 12, top: 48, bottom: 8, containLabel: true },
      legend: { type: "scroll", top: 0 },
      tooltip: { trigger: "axis", confine: true, valueFormatter: grouped },
      xAxis: { type: "category", data: weeks, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", min: 0 },
      series: split.parts.map(function (part) {
        return {
          name: part.label,
          type: "bar",
          stack: split.key,
          emphasis: { focus: "series" },
          data: part.values,
        };
      }),
    });
  }

  // The two kinds of chart: the attribute that marks each one's box, how it is drawn, and
  // which figure a click opens (a line's own; a bar's that of its part of the split).
  var KINDS = [
    {
      specs: "charts",
      attribute: "data-chart",
      draw: lineChart,
      stacked: false,
      keyOf: function (spec) {
        return spec.key;
      },
    },
    {
      specs: "splits",
      attribute: "data-split",
      draw: stackedChart,
      stacked: true,
      keyOf: function (split, part) {
        return split.parts[part] && split.parts[part].key;
      },
    },
  ];

  // --- folding sections ---------------------------------------------------------------
  // Each <details data-section> opens and closes; what the user chose is kept per user in
  // localStorage. Until they choose, a phone starts with [data-phone-closed] sections shut;
  // [data-phone-only] sections fold on a phone only.
  var PHONE = "(max-width: 767.98px)";

  function stored(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "{}") || {};
    } catch (error) {
      return {};
    }
  }

  function store(key, name, open) {
    try {
      var state = stored(key);
      state[name] = open;
      window.localStorage.setItem(key, JSON.stringify(state));
    } catch (error) {
      // private browsing or a full storage: the section still folds, it is just not kept
    }
  }

  function sections() {
    var root = document.querySelector("[data-storage-key]");
    if (!root) return [];
    var key = root.getAttribute("data-storage-key");
    var state = stored(key);
    var phone = window.matchMedia && window.matchMedia(PHONE).matches;
    var all = Array.prototype.slice.call(root.querySelectorAll("details[data-section]"));
    all.forEach(function (details) {
      var name = details.getAttribute("data-section");
      var open = details.open;
      if (details.hasAttribute("data-phone-only") && !phone) {
        // folds on a phone only: on a desktop it has no summary to open it with
        details.open = true;
        return;
      }
      if (typeof state[name] === "boolean") open = state[name];
      else if (phone && details.hasAttribute("data-phone-closed")) open = false;
      details.open = open;
      // a click (or Enter/Space) on the summary is the user's choice; the toggle event
      // also follows the changes made here, which are not
      details.querySelector("summary").addEventListener("click", function () {
        window.setTimeout(function () {
          store(key, name, details.open);
        }, 0);
      });
    });
    return all;
  }

  // --- charts: drawn when their section is open, resized when it opens again ------------
  function init() {
    var folding = sections();
    var source = document.getElementById("dashboard-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var pending = [];
    KINDS.forEach(function (kind) {
      data[kind.specs].forEach(function (spec) {
        var box = document.querySelector("[" + kind.attribute + '="' + spec.key + '"]');
        if (!box) return;
        pending.push({ box: box, kind: kind, spec: spec });
      });
    });

    function shown(box) {
      var details = box.closest("details");
      return !details || details.open;
    }

    function drawShown() {
      pending = pending.filter(function (item) {
        if (!shown(item.box)) return true;
        var keyOf = function (part) {
          return item.kind.keyOf(item.spec, part);
        };
        var chart = item.kind.draw(item.box, data.weeks, item.spec);
        openOnClick(chart, data.weeks, data.records, keyOf, item.kind.stacked);
        return false;
      });
    }

    function resizeShown() {
      charts.forEach(function (chart) {
        if (shown(chart.getDom())) chart.resize();
      });
    }

    drawShown();
    folding.forEach(function (details) {
      details.addEventListener("toggle", function () {
        if (!details.open) return;
        drawShown();
        resizeShown();
      });
    });
    window.addEventListener("resize", resizeShown);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
