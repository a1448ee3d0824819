/* 监督看板: the charts. The figures come from the page's <script type="application/json"
   id="dashboard-data"> block (data, not code), so no inline script is needed (CSP). */
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("dashboard-data");
  if (!source) { return; }
  if (!window.echarts) {
    // The chart library did not load (blocked or offline): say so where each chart would be.
    document.querySelectorAll("[id^='chart-']").forEach(function (box) {
      box.style.height = "auto";
      box.className += " flash flash-warn";
      box.setAttribute("role", "status");
      box.textContent = "图表组件未能加载，图表暂不显示；各项数据见本页表格和导出的 Excel。";
    });
    return;
  }
  var d = JSON.parse(source.textContent);
  var year = d.year, sq = d.sq;
  var mc = echarts.init(document.getElementById("chart-months"));
  mc.setOption({
    animation: false,
    tooltip: {trigger: "axis"}, legend: {data: [year + "年", (year - 1) + "年"]},
    xAxis: {type: "category", data: ["1月","2月","3月","4月","5月","6月","7月","8月","9月","10月","11月","12月"]},
    yAxis: {type: "value", minInterval: 1},
    series: [{name: year + "年", type: "bar", data: d.months}, {name: (year - 1) + "年", type: "line", data: d.last_months}]
  });
  mc.on("click", function (p) {
    var y = p.seriesName === year + "年" ? year : year - 1;
    window.location = "/oversight/indicator/inspections?year=" + y + "&month=" + (p.dataIndex + 1) + sq;
  });
  var pc = echarts.init(document.getElementById("chart-method"));
  pc.setOption({
    animation: false,
    tooltip: {trigger: "item"},
    series: [{type: "pie", radius: ["40%", "70%"], data: [
      {name: "现场检查", value: d.onsite, link: "onsite"},
      {name: "非现场检查", value: d.nonsite, link: "nonsite"}]}]
  });
  pc.on("click", function (p) { window.location = "/oversight/indicator/" + p.data.link + "?year=" + year + sq; });
  var target = d.target;
  var sc = document.getElementById("chart-subjects");
  if (sc) {
    var top = d.subjects;
    var sch = echarts.init(sc);
    sch.setOption({
      animation: false,
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, valueFormatter: function (v) { return v + "%"; }},
      grid: {left: 8, right: 40, top: 10, bottom: 20, containLabel: true},
      xAxis: {type: "value", max: 100, axisLabel: {formatter: "{value}%"}},
      yAxis: {type: "category", inverse: true, data: top.map(function (r) { return r.name; })},
      series: [{name: "联合检查率", type: "bar", data: top.map(function (r) {
        return {value: r.rate, itemStyle: {color: r.rate < target ? "#d4380d" : "#389e0d"}};
      }), markLine: {symbol: "none", label: {formatter: "目标 {c}%"}, data: [{xAxis: target}]}}]
    });
    sch.on("click", function (p) {
      window.location = "/oversight/dashboard?year=" + year + "&subject=" + top[p.dataIndex].id;
    });
  }
  var rc = echarts.init(document.getElementById("chart-ratings"));
  rc.setOption({
    animation: false,
    tooltip: {}, xAxis: {type: "category", data: ["1分", "2分", "3分", "4分", "5分"]},
    yAxis: {type: "value", minInterval: 1},
    series: [{type: "bar", data: d.ratings.map(function (n, i) {
      return {value: n, itemStyle: {color: i < 2 ? "#d4380d" : "#1677ff"}};
    })}]
  });
  var ac = document.getElementById("chart-alerts");
  if (ac) {
    var rules = d.alert_rules, counts = d.alert_counts, ages = d.ages;
    var ach = echarts.init(ac);
    ach.setOption({
      animation: false,
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}}, legend: {data: ages},
      grid: {left: 8, right: 20, top: 30, bottom: 10, containLabel: true},
      xAxis: {type: "value", minInterval: 1}, yAxis: {type: "category", inverse: true, data: rules},
      series: ages.map(function (a, j) {
        return {name: a, type: "bar", stack: "age", data: counts.map(function (c) { return c[j]; })};
      })
    });
    ach.on("click", function (p) {
      window.location = "/oversight/alerts?rule=" + encodeURIComponent(rules[p.dataIndex]) + sq;
    });
  }
  var ec = echarts.init(document.getElementById("chart-per-enterprise"));
  ec.setOption({
    animation: false,
    tooltip: {}, xAxis: {type: "category", data: d.buckets},
    yAxis: {type: "value", minInterval: 1}, series: [{type: "bar", data: d.per_enterprise}]
  });
});
