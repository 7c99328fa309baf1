/* Monitoring charts: draws every element with data-chart="<kind>" from the JSON that its data-source names
   (written by Django's json_script). All text comes from the server; nothing here builds HTML from data
   except ECharts tooltips, whose values are escaped. */
(function () {
  "use strict";

  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif';
  var INK = "#1f2933";
  var MUTED = "#56616e";
  var LINE = "#d9e2ec";
  // Dimension colours (stack segments, lines): the brand blues first, then warm contrasts.
  var PALETTE = ["#1d4e89", "#2f80c0", "#6cb4e4", "#f2a541", "#8cb369", "#c0392b", "#7d5ba6", "#4c9f9f",
                 "#e07a5f", "#3d405b"];
  var SCALE = ["#e3eef9", "#9cc3e6", "#4a90c9", "#1d4e89"];
  var charts = [];
  var responsive = [];

  function fmt(v) {
    return v === null || v === undefined || isNaN(v) ? "—" : Number(v).toFixed(2);
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function title(d) {
    return {
      text: d.title, subtext: d.subtitle || "", left: 0, top: 0,
      textStyle: { fontSize: 15, fontWeight: 600, color: INK, fontFamily: FONT },
      subtextStyle: { fontSize: 12, color: MUTED, fontFamily: FONT }
    };
  }

  function axisName(name, extra) {
    var a = {
      name: name, nameTextStyle: { color: MUTED, fontSize: 12 },
      axisLine: { lineStyle: { color: LINE } }, axisLabel: { color: MUTED },
      splitLine: { lineStyle: { color: "#eef2f7" } }
    };
    for (var k in extra) { a[k] = extra[k]; }
    return a;
  }

  function legend(top) {
    return { top: top, left: 0, icon: "roundRect", itemWidth: 14, itemHeight: 10,
             textStyle: { color: INK, fontSize: 12 } };
  }

  var builders = {
    // Rank intervals of an uncertainty analysis: per unit a bar from the 5th to the 95th percentile rank,
    // the nominal rank as a dot and the median as a tick; best rank at the top.
    rankIntervals: function (d) {
      var RANK_LABEL_ALL = 20;
      var n = d.units.length;
      var bars = d.interval.map(function (q, i) { return [i, q[0], q[1]]; });
      return {
        title: title(d),
        legend: legend(46),
        grid: { left: 120, right: 30, top: 86, bottom: 40 },
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (ps) {
            var i = ps[0].dataIndex;
            return esc(d.units[i]) + "<br>名义排名：" + d.nominal[i] + "<br>中位数：" + d.median[i] +
              "<br>平均：" + fmt(d.mean[i]) + "<br>5%–95% 区间：" + d.interval[i][0] + "–" + d.interval[i][1];
          }
        },
        // Every rank labelled while they fit (9 counties: 1–9); ECharts picks a step for the 139 towns.
        xAxis: axisName("排名（1 为最好）", { type: "value", min: 1, max: Math.max(n, 2), inverse: false,
                                             nameLocation: "middle", nameGap: 26, minInterval: 1,
                                             interval: n <= RANK_LABEL_ALL ? 1 : undefined }),
        yAxis: { type: "category", data: d.units, inverse: true, axisLabel: { color: INK },
                 axisLine: { lineStyle: { color: LINE } } },
        series: [
          {
            name: "5%–95% 排名区间", type: "custom", data: bars, z: 2,
            itemStyle: { color: "#9cc3e6" },
            encode: { x: [1, 2], y: 0 },
            renderItem: function (params, api) {
              var y = api.value(0), lo = api.coord([api.value(1), y]), hi = api.coord([api.value(2), y]);
              var h = Math.max(4, api.size([0, 1])[1] * 0.35);
              var style = { fill: "#9cc3e6", stroke: "#2f80c0", lineWidth: 1 };
              return {
                type: "group", children: [
                  { type: "rect", shape: { x: lo[0], y: lo[1] - h / 2, width: Math.max(hi[0] - lo[0], 2), height: h },
                    style: style },
                  { type: "line", shape: { x1: lo[0], y1: lo[1] - h, x2: lo[0], y2: lo[1] + h }, style: { stroke: "#2f80c0" } },
                  { type: "line", shape: { x1: hi[0], y1: hi[1] - h, x2: hi[0], y2: hi[1] + h }, style: { stroke: "#2f80c0" } }
                ]
              };
            }
          },
          { name: "名义排名", type: "scatter", z: 3, symbolSize: 9, itemStyle: { color: "#1d4e89" },
            data: d.nominal.map(function (v, i) { return [v, i]; }) },
          { name: "中位数", type: "scatter", z: 4, symbol: "diamond", symbolSize: 8, itemStyle: { color: "#f2a541" },
            data: d.median.map(function (v, i) { return [v, i]; }) }
        ]
      };
    },

    // First-order (Si) and total (STi) sensitivity indices with their 5–95 % bootstrap bounds.
    sensitivity: function (d) {
      var BAR = 36;
      var params = d.indices.map(function (r) { return r.label || r.Parameter; });
      function whiskers(key, offset, color) {
        return {
          name: key + " 置信区间", type: "custom", z: 5, itemStyle: { color: color },
          data: d.indices.map(function (r, i) { return [i, r[key + "_q5"], r[key + "_q95"]]; }),
          renderItem: function (p, api) {
            var x = api.value(0);
            var lo = api.coord([x, api.value(1)]), hi = api.coord([x, api.value(2)]);
            // Bars are BAR px wide with a 20 % gap: their centres sit half a bar and half a gap from the middle.
            var cx = lo[0] + offset * BAR * 0.6;
            return { type: "group", children: [
              { type: "line", shape: { x1: cx, y1: lo[1], x2: cx, y2: hi[1] }, style: { stroke: "#3d405b", lineWidth: 1.5 } },
              { type: "line", shape: { x1: cx - 5, y1: lo[1], x2: cx + 5, y2: lo[1] }, style: { stroke: "#3d405b" } },
              { type: "line", shape: { x1: cx - 5, y1: hi[1], x2: cx + 5, y2: hi[1] }, style: { stroke: "#3d405b" } }
            ] };
          }
        };
      }
      return {
        title: title(d), legend: legend(46),
        grid: { left: 60, right: 20, top: 86, bottom: 40 },
        tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt(v); } },
        xAxis: { type: "category", data: params, axisLabel: { color: INK } },
        yAxis: axisName("", { type: "value", max: 1,
                              min: function (v) { return Math.min(0, Math.floor(v.min * 10) / 10); } }),
        series: [
          { name: "一阶指数 Si", type: "bar", barGap: "20%", barWidth: BAR, itemStyle: { color: "#2f80c0" },
            data: d.indices.map(function (r) { return r.Si; }) },
          { name: "总效应指数 STi", type: "bar", barWidth: BAR, itemStyle: { color: "#f2a541" },
            data: d.indices.map(function (r) { return r.STi; }) },
          whiskers("Si", -1, "#3d405b"), whiskers("STi", 1, "#3d405b")
        ]
      };
    },

    stacked: function (d) {
      var n = d.categories.length;
      var series = d.series.map(function (s, i) {
        return { name: s.name, type: "bar", stack: "index", data: s.data, barMaxWidth: 22,
                 itemStyle: { color: PALETTE[i % PALETTE.length] }, emphasis: { focus: "series" } };
      });
      // The index written at the end of each bar (on the last segment).
      series[series.length - 1].label = {
        show: true, position: "right", color: INK, fontSize: 12,
        formatter: function (p) { return fmt(d.index[p.dataIndex]); }
      };
      return {
        title: title(d), legend: legend(44), color: PALETTE,
        grid: { left: 8, right: 56, top: 96, bottom: 28, containLabel: true },
        tooltip: {
          trigger: "axis", axisPointer: { type: "shadow" },
          formatter: function (ps) {
            var i = ps[0].dataIndex;
            var lines = ["<strong>" + esc(d.categories[i]) + "</strong> 综合指数 " + fmt(d.index[i])];
            ps.forEach(function (p) { lines.push(p.marker + esc(p.seriesName) + " 贡献 " + fmt(p.value)); });
            return lines.join("<br>");
          }
        },
        xAxis: axisName(d.x_name, { type: "value", nameLocation: "middle", nameGap: 24 }),
        yAxis: axisName(d.y_name, { type: "category", data: d.categories, inverse: true,
                                    nameLocation: "start", axisTick: { show: false },
                                    axisLabel: { color: INK, interval: 0, fontSize: n > 12 ? 11 : 12 } }),
        series: series
      };
    },

    trend: function (d) {
      return {
        title: title(d), color: PALETTE,
        legend: Object.assign(legend(28), { type: "scroll", right: 0 }),
        grid: { left: 8, right: 24, top: 88, bottom: 28, containLabel: true },
        tooltip: {
          trigger: "axis",
          formatter: function (ps) {
            var lines = [esc(ps[0].axisValue) + "年"];
            ps.slice().sort(function (a, b) { return (b.value || 0) - (a.value || 0); }).forEach(function (p) {
              lines.push(p.marker + esc(p.seriesName) + "　" + fmt(p.value));
            });
            return lines.join("<br>");
          }
        },
        xAxis: axisName(d.x_name, { type: "category", data: d.periods, boundaryGap: false,
                                    nameLocation: "middle", nameGap: 26 }),
        yAxis: axisName(d.y_name, { type: "value", scale: true, nameLocation: "end",
                                    axisLabel: { color: MUTED, formatter: function (v) { return v.toFixed(0); } } }),
        series: d.series.map(function (s) {
          return {
            name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 6,
            lineStyle: s.dashed ? { type: "dashed", width: 2, color: "#7b8794" } : { width: 2.5 },
            itemStyle: s.dashed ? { color: "#7b8794" } : undefined
          };
        })
      };
    },

    radar: function (d) {
      return {
        title: title(d), color: ["#1d4e89", "#9aa5b1"],
        legend: Object.assign(legend(28), { left: "center" }),
        tooltip: { trigger: "item", formatter: function (p) {
          return esc(p.name) + "<br>" + d.indicators.map(function (name, i) {
            return esc(name) + "　" + fmt(p.value[i]);
          }).join("<br>");
        } },
        radar: {
          center: ["50%", "58%"], radius: "62%",
          indicator: d.indicators.map(function (name) { return { name: name, max: d.max }; }),
          axisName: { color: INK, fontSize: 13 },
          splitLine: { lineStyle: { color: LINE } }, splitArea: { areaStyle: { color: ["#fff", "#f5f8fc"] } },
          axisLine: { lineStyle: { color: LINE } }
        },
        series: [{
          type: "radar", symbolSize: 5,
          data: d.series.map(function (s) {
            return { name: s.name, value: s.data,
                     lineStyle: s.dashed ? { type: "dashed", width: 2 } : { width: 2.5 },
                     areaStyle: s.dashed ? { opacity: 0 } : { opacity: 0.18 } };
          })
        }]
      };
    },

    bars: function (d) {
      return {
        title: title(d), color: ["#1d4e89", "#9aa5b1"], legend: Object.assign(legend(30), { right: 0, left: "auto" }),
        grid: { left: 8, right: 16, top: 72, bottom: 28, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: fmt },
        xAxis: axisName(d.x_name, { type: "category", data: d.indicators, nameLocation: "middle", nameGap: 28,
                                    axisLabel: { color: INK, interval: 0 } }),
        yAxis: axisName(d.y_name, { type: "value", max: d.max }),
        series: d.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.data, barMaxWidth: 34,
                   label: { show: true, position: "top", fontSize: 11, color: MUTED, formatter: function (p) {
                     return fmt(p.value);
                   } } };
        })
      };
    },

    map: function (d, el) {
      return d.mode === "geo" ? geoMap(d, el) : tileMap(d);
    },

    // Movement between the tiers of the cultivation pool: a column per selection year ("2024·高新技术企业"),
    // node size the enterprises of that tier, link width the enterprises moving from one tier to the next.
    // Labels stay inside the chart: the last year's labels sit left of their nodes (on the right they ran off
    // the card); on a narrow screen a label names the tier only and the subtitle gives the years in order.
    sankey: function (d, el) {
      var narrow = el && el.clientWidth < 700;
      var last = d.nodes.reduce(function (m, n) { return Math.max(m, n.depth); }, 0);
      var years = [];
      d.nodes.forEach(function (n) { if (years.indexOf(n.year) < 0) { years.push(n.year); } });
      var t = title(d);
      if (narrow && years.length) { t.subtext = (t.subtext ? t.subtext + "\n" : "") + "从左到右：" + years.join("、") + " 年度"; }
      return {
        title: t,
        tooltip: {
          trigger: "item", confine: true, formatter: function (p) {
            if (p.dataType === "edge") {
              return esc(p.data.source) + " → " + esc(p.data.target) + "：" + p.data.value + " 家";
            }
            return esc(p.name) + "：" + p.data.count + " 家";
          }
        },
        series: [{
          type: "sankey", top: narrow ? 84 : 64, bottom: 16, left: 8, right: 8, nodeWidth: narrow ? 10 : 14,
          nodeGap: 12, layoutIterations: 0, draggable: false, emphasis: { focus: "adjacency" },
          labelLayout: { hideOverlap: true },
          label: {
            color: INK, fontSize: narrow ? 11 : 12, textBorderColor: "#fff", textBorderWidth: 2,
            formatter: function (p) {
              var name = narrow ? p.name.split("·").pop() : p.name;
              return name + "（" + p.data.count + "）";
            }
          },
          lineStyle: { color: "gradient", curveness: 0.5, opacity: 0.35 },
          data: d.nodes.map(function (n) {
            return { name: n.name, depth: n.depth, count: n.count, value: n.count,
                     label: { position: n.depth === last && last > 0 ? "left" : "right" },
                     itemStyle: { color: PALETTE[n.tier_index % PALETTE.length] } };
          }),
          links: d.links
        }]
      };
    }
  };
  // Builders whose option depends on the chart's width: rebuilt, not only resized, when the window changes.
  builders.sankey.responsive = true;

  function visualMap(d, extra) {
    var v = {
      type: "continuous", min: d.min, max: d.max, calculable: false, orient: "horizontal",
      left: "center", bottom: 0, itemWidth: 12, itemHeight: 160, text: ["高", "低"],
      textStyle: { color: MUTED }, inRange: { color: SCALE }, formatter: fmt
    };
    for (var k in extra) { v[k] = extra[k]; }
    return v;
  }

  // White text on the darker half of the colour scale, dark text on the lighter half.
  function labelColour(d, value) {
    if (value === null || d.max === d.min) { return INK; }
    return (value - d.min) / (d.max - d.min) > 0.55 ? "#fff" : INK;
  }

  function tileLabel(item) {
    return item.name + "\n" + (item.rank ? "第" + item.rank + "名 · " + fmt(item.value) : "数据不足");
  }

  function mapTooltip(d) {
    return { trigger: "item", formatter: function (p) {
      var item = p.data && p.data.item;
      if (!item) { return esc(p.name); }
      return "<strong>" + esc(item.name) + "</strong><br>" + esc(d.value_name) + "　" + fmt(item.value) +
        (item.rank ? "<br>第 " + item.rank + " 名" : "<br>数据不足，未排名");
    } };
  }

  // A square per county on a coarse grid placed by rough geography (see web/selectors.py).
  function tileMap(d) {
    var xs = [], ys = [];
    for (var x = 0; x < d.cols; x++) { xs.push(String(x)); }
    for (var y = 0; y < d.rows; y++) { ys.push(String(y)); }
    function tile(item) {
      return { value: [item.x, item.y, item.value === null ? "-" : item.value], item: item,
               label: { color: labelColour(d, item.value) } };
    }
    var scored = d.items.filter(function (i) { return i.value !== null; });
    var unscored = d.items.filter(function (i) { return i.value === null; });
    var label = { show: true, color: INK, fontSize: 13, lineHeight: 18,
                  formatter: function (p) { return tileLabel(p.data.item); } };
    return {
      title: title(d), tooltip: mapTooltip(d),
      grid: { left: 8, right: 8, top: 44, bottom: 48 },
      xAxis: { type: "category", data: xs, show: false },
      yAxis: { type: "category", data: ys, show: false, inverse: true },
      visualMap: visualMap(d, { seriesIndex: 0, dimension: 2 }),
      series: [
        { type: "heatmap", data: scored.map(tile), label: label,
          itemStyle: { borderColor: "#fff", borderWidth: 4, borderRadius: 6 },
          emphasis: { itemStyle: { borderColor: INK, borderWidth: 2 } } },
        { type: "heatmap", data: unscored.map(tile), label: label,
          itemStyle: { color: "#e4e7eb", borderColor: "#fff", borderWidth: 4, borderRadius: 6 } }
      ]
    };
  }

  function geoMap(d, el) {
    // The boundary file is fetched once; the option is completed when it arrives (see draw()).
    return fetch(d.geo_url, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) { throw new Error("边界文件读取失败：" + r.status); }
        return r.json();
      })
      .then(function (geojson) {
        echarts.registerMap("county-innovation", geojson);
        var byCode = {};
        d.items.forEach(function (i) { byCode[i.code] = i; });
        return {
          title: title(d), tooltip: mapTooltip(d), visualMap: visualMap(d, {}),
          series: [{
            type: "map", map: "county-innovation", nameProperty: "code", roam: false,
            top: 48, bottom: 52, left: 8, right: 8,
            label: { show: true, color: INK, fontSize: 12, lineHeight: 16, formatter: function (p) {
              var item = byCode[p.name];
              return item ? tileLabel(item) : p.name;
            } },
            itemStyle: { borderColor: "#fff", borderWidth: 1.5, areaColor: "#e4e7eb" },
            emphasis: { label: { color: INK }, itemStyle: { areaColor: "#f2a541" } },
            data: d.items.map(function (i) {
              return { name: i.code, value: i.value === null ? "-" : i.value, item: i,
                       label: { color: labelColour(d, i.value) } };
            })
          }]
        };
      });
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.source);
    var build = builders[el.dataset.chart];
    if (!source || !build) { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({ textStyle: { fontFamily: FONT }, animationDuration: 500 });
    charts.push(chart);
    if (build.responsive) { responsive.push({ chart: chart, el: el, data: data, build: build }); }
    Promise.resolve(build(data, el)).then(function (option) {
      chart.setOption(option);
      chart.on("click", function (p) {
        var item = p.data && p.data.item;
        if (item && item.url) { window.location.href = item.url; }
      });
    }).catch(function (err) {
      chart.dispose();
      el.classList.add("chart-error");
      el.textContent = "图表无法显示：" + err.message;
    });
  }

  function init() {
    document.querySelectorAll("[data-chart]").forEach(draw);
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () {
        charts.forEach(function (c) { c.resize(); });
        responsive.forEach(function (r) { r.chart.setOption(r.build(r.data, r.el)); });
      }, 120);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
