(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var ex = data.explorer;
  if (!ex) { return; }
  var labels = {};
  data.topics.forEach(function (t) { labels[t[0]] = t[1]; });
  var K = ex.topics.length;
  var select = document.getElementById('ex-topic');
  var slider = document.getElementById('ex-lambda');
  var out = document.getElementById('ex-lambda-out');
  var list = document.getElementById('ex-words');
  var status = document.getElementById('ex-status');
  var legend = document.getElementById('ex-legend');
  var clear = document.getElementById('ex-clear');
  var dots = {};
  document.querySelectorAll('#ex-map .dot').forEach(function (g) {
    dots[Number(g.getAttribute('data-k'))] = g;
  });
  var state = { topic: 1, lambda: Number(slider.value), word: -1 };

  // Relevance exactly as the Rust code computes it: the same numbers, the same operations.
  function ranked(k, lambda) {
    var scored = ex.topics[k - 1].map(function (p) {
      var a = p[1], c = ex.words[p[0]][2];
      return [p[0], lambda * a + (1 - lambda) * (a - c), a];
    });
    scored.sort(function (x, y) {
      if (x[1] !== y[1]) { return y[1] > x[1] ? 1 : -1; }
      return x[0] - y[0];
    });
    return scored.slice(0, ex.shown);
  }

  function percent(x) { return (x * 100).toFixed(x < 0.1 ? 1 : 0) + '%'; }

  function drawWords() {
    var rows = ranked(state.topic, state.lambda);
    var most = 0;
    rows.forEach(function (r) { most = Math.max(most, ex.words[r[0]][1]); });
    var fragment = document.createDocumentFragment();
    var tokensK = ex.tokens[state.topic - 1];
    rows.forEach(function (r, i) {
      var w = ex.words[r[0]];
      var fromTopic = Math.exp(r[2]) * tokensK;
      var li = document.createElement('li');
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'word';
      button.textContent = w[0];
      button.setAttribute('data-w', r[0]);
      button.setAttribute('aria-pressed', String(r[0] === state.word));
      button.title = w[0] + ': ' + Math.round(w[1]).toLocaleString('en') + ' tokens in the corpus, about ' +
        Math.round(fromTopic).toLocaleString('en') + ' from topic ' + state.topic +
        ' (p(w|k) ' + Math.exp(r[2]).toPrecision(3) + '); relevance ' + r[1].toFixed(3);
      var bars = document.createElement('span');
      bars.className = 'bars';
      bars.setAttribute('aria-hidden', 'true');
      var corpus = document.createElement('span');
      corpus.className = 'corpus';
      corpus.style.width = (most > 0 ? 100 * w[1] / most : 0).toFixed(2) + '%';
      var topic = document.createElement('span');
      topic.className = 'topic';
      topic.style.width = (most > 0 ? 100 * Math.min(fromTopic, w[1]) / most : 0).toFixed(2) + '%';
      bars.appendChild(corpus);
      bars.appendChild(topic);
      var sr = document.createElement('span');
      sr.className = 'sr';
      sr.textContent = ', ' + Math.round(fromTopic) + ' of its ' + Math.round(w[1]) + ' tokens from this topic';
      li.appendChild(button);
      li.appendChild(bars);
      li.appendChild(sr);
      fragment.appendChild(li);
    });
    list.replaceChildren(fragment);
    list.setAttribute('data-topic', String(state.topic));
    list.setAttribute('data-lambda', String(state.lambda));
  }

  function drawMap() {
    var senses = null;
    if (state.word >= 0) {
      senses = {};
      ex.words[state.word][3].forEach(function (s) { senses[s[0]] = s[1]; });
    }
    for (var k = 1; k <= K; k++) {
      var g = dots[k];
      if (!g) { continue; }
      var circle = g.querySelector('circle');
      var r = Number(circle.getAttribute('data-r'));
      var held = false;
      if (senses) {
        var p = senses[k] || 0;
        // As LDAvis: the circles' areas show p(topic | word). At the shares' scale a word
        // wholly in one topic would fill a third of the map: drawn at 0.6 of it.
        r = Math.max(0.6 * ex.unit * Math.sqrt(p), 2);
        held = p >= 0.05;
      }
      circle.setAttribute('r', r.toFixed(2));
      g.classList.toggle('holds', held);
      g.classList.toggle('faded', senses !== null && !held);
      g.classList.toggle('selected', k === state.topic);
      g.setAttribute('aria-pressed', String(k === state.topic));
    }
  }

  function describe() {
    var text = 'Topic ' + state.topic + ' (' + labels[state.topic] + '): its ' + ex.shown +
      ' most relevant words at λ = ' + state.lambda.toFixed(2) + '.';
    if (state.word >= 0) {
      var w = ex.words[state.word];
      var held = w[3].filter(function (s) { return s[1] >= 0.05; })
        .map(function (s) { return '#' + s[0] + ' ' + percent(s[1]); });
      text += ' "' + w[0] + '" is in ' + (held.length ? held.join(', ') : 'no topic above 5%') +
        ' (p(topic | word)).';
      legend.textContent = 'Circle area: p(topic | "' + w[0] + '"), the part of its use each topic explains.';
    } else {
      legend.textContent = 'Circle area: the topic\'s share of the tokens.';
    }
    status.textContent = text;
    clear.hidden = state.word < 0;
  }

  function draw() {
    drawWords();
    drawMap();
    describe();
  }

  function selectTopic(k) {
    state.topic = Math.min(Math.max(k, 1), K);
    select.value = String(state.topic);
    draw();
  }

  function selectWord(w) {
    state.word = state.word === w ? -1 : w;
    draw();
  }

  Object.keys(dots).forEach(function (key) {
    var g = dots[key];
    var k = Number(key);
    g.addEventListener('click', function () { selectTopic(k); });
    g.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        selectTopic(k);
      }
    });
  });
  select.addEventListener('change', function () { selectTopic(Number(select.value)); });
  document.getElementById('ex-prev').addEventListener('click', function () {
    selectTopic(state.topic === 1 ? K : state.topic - 1);
  });
  document.getElementById('ex-next').addEventListener('click', function () {
    selectTopic(state.topic === K ? 1 : state.topic + 1);
  });
  slider.addEventListener('input', function () {
    state.lambda = Number(slider.value);
    out.textContent = state.lambda.toFixed(2);
    drawWords();
    describe();
  });
  list.addEventListener('click', function (e) {
    var button = e.target.closest('button.word');
    if (button) { selectWord(Number(button.getAttribute('data-w'))); }
  });
  list.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && state.word >= 0) { selectWord(state.word); }
  });
  clear.addEventListener('click', function () { selectWord(state.word); select.focus(); });

  selectTopic(1);
  document.body.setAttribute('data-explorer',
    'dots=' + Object.keys(dots).length + ' words=' + list.children.length);
})();
