(function () {
  'use strict';
  var palette = ['#4269d0','#efb118','#ff725c','#6cc5b0','#3ca951','#ff8ab7','#a463f2','#97bbf5','#9c6b4e','#9498a0'];
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var labels = {};
  data.topics.forEach(function (t) { labels[t[0]] = t[1]; });
  var rows = data.documents.map(function (d, i) {
    var top = d[4].length ? d[4][0] : [0, 0];
    return { n: i + 1, id: d[0], title: d[1], label: d[2], tokens: d[3], topics: d[4],
             top: top[0], weight: top[1],
             text: (d[0] + ' ' + d[1] + ' ' + d[2]).toLowerCase() };
  });
  var keys = ['n', 'id', 'title', 'tokens', 'top', 'weight'];
  var sortKey = 'n', ascending = true;
  var LIMIT = 1000;
  var body = document.querySelector('#doc-table tbody');
  var filter = document.getElementById('filter');
  var topicFilter = document.getElementById('topic-filter');
  var count = document.getElementById('count');

  function cell(tr, text, numeric) {
    var td = document.createElement('td');
    td.textContent = text;
    if (numeric) { td.className = 'n'; }
    tr.appendChild(td);
  }

  function draw() {
    var q = filter.value.trim().toLowerCase();
    var k = topicFilter.value === '' ? 0 : Number(topicFilter.value);
    var shown = rows.filter(function (r) {
      return (!q || r.text.indexOf(q) >= 0) && (!k || r.top === k);
    });
    shown.sort(function (a, b) {
      var x = a[sortKey], y = b[sortKey];
      var c = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
      if (c === 0) { c = a.n - b.n; }
      return ascending ? c : -c;
    });
    var fragment = document.createDocumentFragment();
    shown.slice(0, LIMIT).forEach(function (r) {
      var tr = document.createElement('tr');
      cell(tr, r.n, true);
      cell(tr, r.id);
      cell(tr, r.title);
      cell(tr, r.tokens, true);
      cell(tr, r.top ? '#' + r.top + ' ' + labels[r.top] : '');
      cell(tr, r.top ? (r.weight * 100).toFixed(1) + '%' : '', true);
      var td = document.createElement('td');
      r.topics.forEach(function (t) {
        if (t[1] < 0.005) { return; }
        var chip = document.createElement('span');
        chip.className = 'chip';
        chip.style.background = palette[(t[0] - 1) % palette.length];
        chip.title = labels[t[0]];
        chip.textContent = '#' + t[0] + ' ' + Math.round(t[1] * 100) + '%';
        td.appendChild(chip);
      });
      tr.appendChild(td);
      fragment.appendChild(tr);
    });
    body.replaceChildren(fragment);
    count.textContent = shown.length > LIMIT
      ? 'showing the first ' + LIMIT + ' of ' + shown.length + ' matching documents (of ' + rows.length + ')'
      : shown.length + ' of ' + rows.length + ' documents';
    return Math.min(shown.length, LIMIT);
  }

  document.querySelectorAll('#doc-table th[data-key]').forEach(function (th) {
    th.addEventListener('click', function () {
      var key = keys[Number(th.getAttribute('data-key'))];
      ascending = key === sortKey ? !ascending : true;
      sortKey = key;
      document.querySelectorAll('#doc-table th').forEach(function (h) { h.className = ''; });
      th.className = ascending ? 'asc' : 'desc';
      draw();
    });
  });
  filter.addEventListener('input', draw);
  topicFilter.addEventListener('change', draw);

  var drawn = draw();
  var cards = document.querySelectorAll('.topic-card svg rect.bar').length > 0
    ? document.querySelectorAll('.topic-card').length : 0;
  document.body.setAttribute('data-check',
    'cards=' + cards + ' rows=' + drawn + ' errors=' + window.nmfErrors.length);
})();
