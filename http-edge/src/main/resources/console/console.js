// switchboard's live console: one snapshot a second from /console/stream (server-sent events), drawn with uPlot.
// Totals become rates per second here (the change since the previous snapshot over the time between them).
(function () {
  'use strict';
  const KEEP = 300; // points: five minutes at one a second
  const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
  let previous = null;
  const charts = {};

  function chart(id, names) {
    const el = document.getElementById(id);
    const data = [[]].concat(names.map(() => []));
    const series = [{}].concat(names.map((name, i) => ({ label: name, stroke: COLOURS[i % COLOURS.length], width: 1.5 })));
    const plot = new uPlot({ width: Math.max(480, el.clientWidth), height: 220, series: series,
      axes: [{}, { size: 60 }], legend: { live: false } }, data, el);
    return { plot: plot, data: data, names: names };
  }

  function push(entry, time, values) {
    entry.data[0].push(time);
    entry.names.forEach((name, i) => entry.data[i + 1].push(values[name]));
    if (entry.data[0].length > KEEP) {
      entry.data.forEach((column) => column.shift());
    }
    entry.plot.setData(entry.data);
  }

  function rows(tableId, values, format) {
    const body = document.querySelector('#' + tableId + ' tbody');
    body.textContent = '';
    Object.keys(values).forEach((name) => {
      const tr = document.createElement('tr');
      const label = document.createElement('td');
      label.textContent = name;
      const value = document.createElement('td');
      value.className = 'n';
      value.id = tableId + '-' + name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      value.textContent = format(values[name]);
      tr.append(label, value);
      body.append(tr);
    });
  }

  function perSecond(now, before, seconds) {
    const rates = {};
    Object.keys(now).forEach((name) => {
      const delta = before && before[name] !== undefined ? now[name] - before[name] : 0;
      rates[name] = seconds > 0 ? Math.max(0, delta) / seconds : 0;
    });
    return rates;
  }

  function drops(snapshot, seconds) {
    const body = document.querySelector('#drops tbody');
    body.textContent = '';
    const rates = perSecond(snapshot.drops, previous && previous.drops, seconds);
    const names = Object.keys(snapshot.drops).filter((name) => snapshot.drops[name] > 0)
      .sort((a, b) => rates[b] - rates[a] || snapshot.drops[b] - snapshot.drops[a]);
    document.getElementById('no-drops').hidden = names.length > 0;
    names.forEach((name) => {
      const tr = document.createElement('tr');
      [name, rates[name].toFixed(1), String(snapshot.drops[name])].forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (i > 0) { td.className = 'n'; }
        tr.append(td);
      });
      body.append(tr);
    });
  }

  function agents(snapshot) {
    const body = document.querySelector('#agents tbody');
    body.textContent = '';
    snapshot.agents.forEach((agent) => {
      const tr = document.createElement('tr');
      [agent.name, agent.state, String(agent.errors), agent.lastError || ''].forEach((text, i) => {
        const td = document.createElement('td');
        td.textContent = text;
        if (i === 1) { td.className = 'state-' + agent.state; }
        if (i === 2) { td.className = 'n'; }
        tr.append(td);
      });
      body.append(tr);
    });
  }

  function show(snapshot) {
    const seconds = previous ? (snapshot.timeMs - previous.timeMs) / 1000 : 0;
    const rates = perSecond(snapshot.rates, previous && previous.rates, seconds);
    const status = document.getElementById('status');
    status.textContent = snapshot.status;
    status.className = 'status ' + snapshot.status;
    const cluster = snapshot.cluster ? '  cluster=node:' + snapshot.cluster.node + '/' + snapshot.cluster.members +
      ' ' + snapshot.cluster.role + (snapshot.cluster.leader === null ? ' (no leader)' :
        ' (leader ' + snapshot.cluster.leader + ', term ' + snapshot.cluster.term + ')') : '';
    document.getElementById('listeners').textContent = Object.keys(snapshot.listeners).sort()
      .map((name) => name + '=' + snapshot.listeners[name]).join('  ') + cluster;
    if (!charts.rates) {
      charts.rates = chart('rates-chart', Object.keys(snapshot.rates));
      charts.levels = chart('levels-chart', Object.keys(snapshot.levels));
    }
    const time = snapshot.timeMs / 1000;
    if (previous) {
      push(charts.rates, time, rates);
    }
    push(charts.levels, time, snapshot.levels);
    rows('rates', rates, (value) => value.toFixed(1));
    rows('levels', snapshot.levels, (value) => String(value));
    drops(snapshot, seconds);
    agents(snapshot);
    previous = snapshot;
    document.body.dataset.snapshots = String(Number(document.body.dataset.snapshots || 0) + 1);
  }

  const stream = new EventSource('/console/stream');
  stream.onmessage = (event) => show(JSON.parse(event.data));
  stream.onerror = () => {
    const status = document.getElementById('status');
    status.textContent = 'disconnected';
    status.className = 'status disconnected';
  };
})();
