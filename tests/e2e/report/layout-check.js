// layout-check.js - run inside the rendered report (a copy, in headless
// Chromium) by test_report.sh: measures what a reader would see and writes
// the findings as JSON into <pre id="layout-check">. Checks: no two texts of
// one chart overlap (labels, values, ticks, titles), no text leaves its
// chart's box (where the SVG would clip it), no text lies under a data mark
// drawn after it (a line, dot or bar painted over a label), no table is
// wider than the window, and the page does not scroll sideways. Then, with
// the print rules applied to the screen, reports the @page size and whether
// the first section is forced onto a new page (a mostly empty first page).
(function () {
  const out = {overlaps: [], outside: [], buried: [], wide_tables: [], page_width: 0,
               window_width: window.innerWidth, charts: 0, texts: 0, tables: 0};
  const box = (e) => e.getBoundingClientRect();
  const meet = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
                         Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const figure = (svg) => (svg.closest('figure') ? svg.closest('figure').id : '?');
  // what a text shows, without the tooltip of a <title> inside it
  const shown = (t) => [...t.childNodes].filter((c) => c.nodeName !== 'title')
                                        .map((c) => c.textContent).join('').trim();
  for (const svg of document.querySelectorAll('svg')) {
    out.charts++;
    const s = box(svg);
    const texts = [...svg.querySelectorAll('text')].filter((t) => shown(t) !== '');
    const boxes = texts.map(box);
    out.texts += texts.length;
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++)
        if (meet(boxes[i], boxes[j]))
          out.overlaps.push([figure(svg), shown(texts[i]), shown(texts[j])]);
      const b = boxes[i];
      if (b.left < s.left - 0.5 || b.right > s.right + 0.5 || b.top < s.top - 0.5 ||
          b.bottom > s.bottom + 0.5)
        out.outside.push([figure(svg), shown(texts[i]), Math.round(b.left - s.left),
                          Math.round(b.right - s.left), Math.round(s.width)]);
    }
    // data marks: lines (paths), dots, bars and national squares (data-cells)
    const marks = [...svg.querySelectorAll('path, circle, rect[data-cells]')];
    for (let i = 0; i < texts.length; i++)
      for (const m of marks)
        if (texts[i].compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING &&
            meet(boxes[i], box(m))) {
          out.buried.push([figure(svg), shown(texts[i])]);
          break;
        }
  }
  for (const t of document.querySelectorAll('table')) {
    out.tables++;
    if (box(t).right > window.innerWidth + 0.5 || t.scrollWidth > t.clientWidth + 1)
      out.wide_tables.push([t.id, Math.round(box(t).right)]);
  }
  out.page_width = document.documentElement.scrollWidth;
  // the print stylesheet, applied as if to the screen (last: it changes the layout)
  out.print = {page_size: '', first_break: ''};
  let rules = '';
  const walk = (list, inPrint) => {
    for (const rule of list) {
      if (rule instanceof CSSPageRule) out.print.page_size = rule.style.getPropertyValue('size');
      else if (rule instanceof CSSMediaRule) walk(rule.cssRules, inPrint || /\bprint\b/.test(rule.media.mediaText));
      else if (inPrint) rules += rule.cssText + '\n';
    }
  };
  for (const sheet of document.styleSheets) walk(sheet.cssRules, false);
  const style = document.createElement('style');
  style.textContent = rules;
  document.head.appendChild(style);
  const first = document.querySelector('main section');
  if (first) {
    const breaks = [first, first.firstElementChild].map((e) => getComputedStyle(e).breakBefore);
    out.print.first_break = breaks.includes('page') ? 'page' : breaks.join(' ');
  }
  style.remove();
  const pre = document.createElement('pre');
  pre.id = 'layout-check';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
