// Placeholder until the web UI lands: shows the live snapshot as text.
'use strict';
(function () {
  const badge = document.getElementById('badge');
  const out = document.getElementById('snapshot');
  const token = new URLSearchParams(location.search).get('token');
  const url = '/api/v1/stats/stream' + (token ? '?token=' + encodeURIComponent(token) : '');
  function connect () {
    const es = new EventSource(url);
    es.onopen = () => { badge.textContent = '已连接'; };
    es.onmessage = (e) => { out.textContent = JSON.stringify(JSON.parse(e.data), null, 2); };
    es.onerror = () => { badge.textContent = '已断开'; es.close(); setTimeout(connect, 3000); };
  }
  connect();
})();
