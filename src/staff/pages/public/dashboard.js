// Draws the dashboard's charts from the JSON block the server rendered (words included: this
// file holds none). Right-to-left pages get Chart.js's rtl options and mirrored axes.
(function () {
  'use strict';
  var source = document.getElementById('dashboard-data');
  if (!source || typeof window.Chart === 'undefined') return;
  var data = JSON.parse(source.textContent || '{}');
  var rtl = data.dir === 'rtl';
  var Chart = window.Chart;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#1d2a33';
  var COLOURS = ['#0b6e63', '#3c8dbc', '#d98c1f', '#7a5195', '#a4262c', '#5b6b75', '#2f9e44'];
  var RATING_COLOURS = ['#a4262c', '#e8590c', '#f0b429', '#74b816', '#2b8a3e'];

  function draw(id, chart) {
    var canvas = document.getElementById('chart-' + id);
    if (!canvas || !chart) return;
    var horizontal = !!chart.horizontal;
    var datasets = chart.series.map(function (s, i) {
      var line = s.kind === 'line';
      var colour = chart.stacked && !line ? RATING_COLOURS[i % 5] : COLOURS[i % COLOURS.length];
      return {
        type: line ? 'line' : 'bar',
        label: s.label,
        data: s.values,
        backgroundColor: colour,
        borderColor: line ? '#1d2a33' : colour,
        yAxisID: line ? 'average' : 'count',
        order: line ? 0 : 1,
        stack: line ? undefined : 'ratings',
      };
    });
    var categoryAxis = { reverse: rtl && !horizontal, stacked: !!chart.stacked, ticks: { autoSkip: false } };
    var countAxis = { beginAtZero: true, stacked: !!chart.stacked, ticks: { precision: 0 }, reverse: rtl && horizontal, position: rtl ? 'right' : 'left' };
    var scales = horizontal ? { count: Object.assign({ axis: 'x' }, countAxis, { position: 'bottom' }), y: Object.assign({}, categoryAxis, { position: rtl ? 'right' : 'left' }) } : { x: categoryAxis, count: Object.assign({ axis: 'y' }, countAxis) };
    if (chart.series.some(function (s) { return s.kind === 'line'; })) {
      scales.average = { axis: 'y', min: 1, max: 5, position: rtl ? 'left' : 'right', grid: { drawOnChartArea: false } };
    }
    if (horizontal) datasets.forEach(function (d) { d.xAxisID = 'count'; delete d.yAxisID; });
    new Chart(canvas, {
      type: 'bar',
      data: { labels: chart.labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? 'y' : 'x',
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        locale: data.locale,
        scales: scales,
        plugins: {
          legend: { display: datasets.length > 1, rtl: rtl, textDirection: data.dir, position: 'bottom' },
          tooltip: { rtl: rtl, textDirection: data.dir },
        },
      },
    });
  }

  Object.keys(data.charts || {}).forEach(function (id) { draw(id, data.charts[id]); });
})();
