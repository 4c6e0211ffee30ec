// layout-check.js - run inside the rendered report (a copy, in headless
// Chromium) by test_report.sh: measures what a reader would see and writes
// the findings as JSON into <pre id="layout-check">. Checks: no two texts of
// one chart overlap (labels, values, ticks, titles), no table is wider than
// the window, and the page does not scroll sideways.
(function () {
  const out = {overlaps: [], wide_tables: [], page_width: 0, window_width: window.innerWidth,
               charts: 0, texts: 0, tables: 0};
  const box = (e) => e.getBoundingClientRect();
  const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
                         Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  for (const svg of document.querySelectorAll('svg')) {
    out.charts++;
    const texts = [...svg.querySelectorAll('text')].filter((t) => t.textContent.trim() !== '');
    const boxes = texts.map(box);
    out.texts += texts.length;
    for (let i = 0; i < texts.length; i++)
      for (let j = i + 1; j < texts.length; j++)
        if (meet(boxes[i], boxes[j]))
          out.overlaps.push([svg.closest('figure') ? svg.closest('figure').id : '?',
                             texts[i].textContent, texts[j].textContent]);
  }
  for (const t of document.querySelectorAll('table')) {
    out.tables++;
    if (box(t).right > window.innerWidth + 0.5 || t.scrollWidth > t.clientWidth + 1)
      out.wide_tables.push([t.id, Math.round(box(t).right)]);
  }
  out.page_width = document.documentElement.scrollWidth;
  const pre = document.createElement('pre');
  pre.id = 'layout-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
