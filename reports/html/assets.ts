// index.html's own style and script, inline in the page and allowed by their hashes alone (the page's
// Content-Security-Policy allows nothing else). Static: no value from a run is ever put in here.
import { createHash } from 'node:crypto';

export const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1f2328;background:#f6f8fa}
main{max-width:1240px;margin:0 auto;padding:20px 20px 40px}
h1{font-size:22px;margin:0 0 2px}
h2{font-size:17px;margin:26px 0 10px}
h4{font-size:13px;margin:0 0 6px;text-transform:uppercase;letter-spacing:.03em;color:#57606a}
h5{font-size:12px;margin:8px 0 4px;color:#57606a}
code,pre{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"Liberation Mono",monospace;font-size:12px}
pre{margin:0;padding:8px 10px;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;white-space:pre-wrap;overflow-wrap:anywhere;max-height:420px;overflow:auto}
a{color:#0969da}
.muted{color:#57606a}
[hidden]{display:none!important}
header.top{display:flex;gap:24px;align-items:flex-start;justify-content:space-between;flex-wrap:wrap}
.subtitle{color:#57606a;margin:0}
.verdict{display:flex;align-items:center;flex-wrap:wrap;gap:6px 14px;margin:16px 0 0;padding:14px 18px;border-radius:8px;border:1px solid;background:#fff}
.verdict .word{font-size:26px;font-weight:700;white-space:nowrap}
.verdict .detail{color:#3d444d}
.verdict .facts{flex-basis:100%;color:#3d444d}
.v-ok{border-color:#1a7f37;background:#dafbe1}.v-ok .word{color:#116329}
.v-warn{border-color:#bf8700;background:#fff8c5}.v-warn .word{color:#7d4e00}
.v-fail{border-color:#cf222e;background:#ffebe9}.v-fail .word{color:#a40e26}
.partial{display:inline-block;padding:2px 10px;border-radius:999px;background:#57606a;color:#fff;font-weight:600;font-size:13px}
.cards{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:12px;margin:14px 0}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:10px 14px}
.card .big{font-size:22px;font-weight:700}
.card .label{color:#57606a;font-size:12px}
.card.tally{display:flex;flex-wrap:wrap;gap:2px 14px;align-content:center;font-size:12.5px}
.card.tally a{color:#3d444d;text-decoration:none;white-space:nowrap}
.card.tally a:hover{text-decoration:underline}
.card.tally b{font-size:17px}
b.c-failed{color:#a40e26}b.c-warning{color:#7d4e00}b.c-expected-failure{color:#953800}b.c-unsupported{color:#6639ba}b.c-not-run{color:#57606a}
.panels{display:grid;grid-template-columns:1fr 1fr;gap:12px}
.panel{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:12px 16px}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:0}
dl.kv dt{color:#57606a}
dl.kv dd{margin:0;overflow-wrap:anywhere}
.chip{display:inline-block;padding:0 7px;margin:1px 2px 1px 0;border-radius:999px;background:#ddf4ff;color:#0550ae;font-size:12px}
.callout{border-radius:8px;padding:10px 14px;margin:12px 0;border:1px solid}
.callout ul{margin:6px 0 0;padding-left:20px}
.callout.fixed{background:#ddf4ff;border-color:#54aeff}
.callout.baseline{background:#fff1e5;border-color:#fb8f44}
.callout.stopped{background:#ffebe9;border-color:#ff8182}
.callout.interrupted{background:#fff8c5;border-color:#d4a72c}
table{border-collapse:collapse;width:100%;background:#fff}
table.families{width:auto;min-width:640px;border:1px solid #d0d7de;border-radius:8px}
table.families th,table.families td{padding:4px 12px;border-bottom:1px solid #eaeef2;text-align:left}
table.families td.num,table.families th.num{text-align:right}
.zero{color:#8c959f}
td.c-passed{color:#116329;font-weight:600}td.c-failed{color:#a40e26;font-weight:700}td.c-warning{color:#7d4e00;font-weight:700}
td.c-unsupported{color:#6639ba;font-weight:600}td.c-not-run{color:#57606a;font-weight:600}td.c-expected-failure{color:#953800;font-weight:700}
.filters{position:sticky;top:0;z-index:2;display:flex;gap:14px;align-items:center;flex-wrap:wrap;padding:8px 0;background:#f6f8fa;border-bottom:1px solid #d0d7de;margin-bottom:8px}
.filters label{font-weight:600}
.filters select,.filters button{font:inherit;padding:3px 8px;border:1px solid #d0d7de;border-radius:6px;background:#fff}
.filters button{cursor:pointer}
.filters .shown{margin-left:auto;color:#57606a}
table.matrix{table-layout:fixed;border:1px solid #d0d7de}
table.matrix th{position:sticky;top:44px;z-index:1;background:#eaeef2;text-align:left;font-size:12px;padding:6px 8px;border-bottom:1px solid #d0d7de}
table.matrix td{padding:7px 8px;vertical-align:top;border-bottom:1px solid #eaeef2}
table.matrix tr.req:hover td{background:#f6f8fa}
table.matrix col.c-id{width:118px}table.matrix col.c-level{width:74px}table.matrix col.c-family{width:104px}
table.matrix col.c-result{width:128px}table.matrix col.c-scen{width:330px}table.matrix col.c-dur{width:74px}
td.id code{font-weight:600;font-size:12px;overflow-wrap:anywhere}
td.num{text-align:right;white-space:nowrap;color:#57606a}
.statement .source{color:#57606a;font-size:12px;margin-top:2px}
.notes{margin-top:4px;font-size:12px}
.needs{color:#6639ba}
.expected-note{color:#953800}
.fixed-note{color:#0550ae;font-weight:600}
.not-run-note{color:#a40e26}
.level{display:inline-block;font-size:11px;font-weight:700;padding:1px 6px;border-radius:4px}
.l-must{background:#1f2328;color:#fff}.l-should{background:#eaeef2;color:#1f2328}
.result{display:inline-block;font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;border:1px solid;white-space:nowrap}
.r-passed{color:#116329;background:#dafbe1;border-color:#4ac26b}
.r-failed{color:#a40e26;background:#ffebe9;border-color:#ff8182}
.r-warning{color:#7d4e00;background:#fff8c5;border-color:#d4a72c}
.r-unsupported{color:#6639ba;background:#fbefff;border-color:#c297ff}
.r-not-run{color:#57606a;background:#eaeef2;border-color:#afb8c1}
.r-expected-failure{color:#953800;background:#fff1e5;border-color:#fb8f44}
ul.scenarios{list-style:none;margin:0;padding:0;font-size:12.5px}
ul.scenarios li{margin:0 0 3px}
.s-status{display:inline-block;min-width:52px;font-size:11px;font-weight:600;text-transform:uppercase;letter-spacing:.02em}
.s-passed{color:#1a7f37}.s-failed{color:#cf222e}.s-expected-failure{color:#bc4c00}.s-unsupported{color:#8250df}.s-skipped{color:#6e7781}
.dur{color:#6e7781;font-size:11px;white-space:nowrap}
tr.ev td{background:#fbfbfc;padding:6px 8px 12px 20px}
details.failure{border:1px solid #d0d7de;border-left:4px solid #cf222e;border-radius:6px;background:#fff;margin:6px 0;scroll-margin-top:90px}
tr.req{scroll-margin-top:90px}
tr.ev[data-result=warning] details.failure{border-left-color:#bf8700}
tr.ev[data-result=expected-failure] details.failure{border-left-color:#fb8f44}
details.failure>summary{cursor:pointer;padding:8px 12px;font-weight:600}
details.failure>summary .muted{font-weight:400;font-size:12px}
details.failure>summary .preview{display:block;margin:2px 0 0 18px;font-weight:400;font-size:12.5px;color:#a40e26;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
details.failure[open]>summary .preview{display:none}
.evidence{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:12px 16px;padding:4px 14px 14px}
.evidence section.wide{grid-column:1/-1}
.step{margin:0 0 6px}
pre.message{background:#fff5f5;border-color:#ffcecb}
details.stack summary{cursor:pointer;color:#57606a;font-size:12px;margin-top:6px}
.exchange{border:1px solid #d0d7de;border-radius:6px;padding:8px 10px;margin:0 0 8px}
.exchange .line{font-size:13px}
.exchange .n{color:#57606a}
.exchange .meta{color:#57606a;font-size:12px;margin-left:6px}
.exchange .st{font-weight:700}.st-ok{color:#1a7f37}.st-bad{color:#cf222e}
.exchange-grid{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1.3fr);gap:12px}
table.headers{width:100%;font-size:12px;border:1px solid #eaeef2}
table.headers th{text-align:left;font-weight:600;padding:2px 8px;width:34%;color:#57606a;vertical-align:top;font-family:ui-monospace,monospace}
table.headers td{padding:2px 8px;overflow-wrap:anywhere;font-family:ui-monospace,monospace}
.repro pre{background:#1f2328;color:#f6f8fa;border-color:#1f2328}
footer{margin-top:28px;color:#57606a;font-size:12px}
@media (max-width:1000px){.cards{grid-template-columns:repeat(2,1fr)}.panels,.evidence,.exchange-grid{grid-template-columns:1fr}}
@media (max-width:1000px),print{
  table.matrix col.c-id{width:13%}table.matrix col.c-level{width:8%}table.matrix col.c-family{width:10%}
  table.matrix col.c-result{width:11%}table.matrix col.c-scen{width:24%}table.matrix col.c-dur{width:8%}
  table.matrix td,table.matrix th{padding:5px 4px}
  td.id code{font-size:10.5px}
  .result{padding:1px 5px;font-size:11px;white-space:normal}
  td.num{font-size:11px}
}
@media print{
  body{background:#fff;font-size:11px}
  main{max-width:none;padding:0}
  .filters,.no-print{display:none!important}
  table.matrix th{position:static}
  pre{max-height:none;overflow:visible}
  tr.req{break-inside:avoid}
  details.failure{break-inside:auto}
  details.failure>summary{list-style:none}
  details.failure::details-content{content-visibility:visible;display:contents}
  details.stack,details.failure>summary .preview{display:none!important}
  .verdict,.result,.level,.callout,.partial,td.c-failed{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  a{color:inherit;text-decoration:none}
}
`;

// Static: no value from the run is ever interpolated here (the CSP allows this script by its hash only).
export const SCRIPT = `
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.req'));
  var byResult = document.getElementById('filter-result');
  var byFamily = document.getElementById('filter-family');
  var shown = document.getElementById('shown');
  var problems = ['failed', 'warning', 'expected-failure'];
  function apply() {
    var r = byResult.value, f = byFamily.value, n = 0;
    rows.forEach(function (row) {
      var res = row.getAttribute('data-result');
      var ok = (r === 'all' || (r === 'problems' ? problems.indexOf(res) >= 0 : res === r)) &&
        (f === 'all' || row.getAttribute('data-family') === f);
      row.hidden = !ok;
      var next = row.nextElementSibling;
      if (next && next.classList.contains('ev')) next.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = String(n);
  }
  byResult.addEventListener('change', apply);
  byFamily.addEventListener('change', apply);
  Array.prototype.forEach.call(document.querySelectorAll('[data-set-result]'), function (el) {
    el.addEventListener('click', function (e) { e.preventDefault(); byResult.value = el.getAttribute('data-set-result'); byFamily.value = 'all'; apply(); document.getElementById('matrix').scrollIntoView(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-set-family]'), function (el) {
    el.addEventListener('click', function (e) { e.preventDefault(); byFamily.value = el.getAttribute('data-set-family'); byResult.value = 'all'; apply(); document.getElementById('matrix').scrollIntoView(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('[data-family-reset]'), function (el) {
    el.addEventListener('click', function () { byResult.value = 'all'; byFamily.value = 'all'; apply(); });
  });
  Array.prototype.forEach.call(document.querySelectorAll('a[data-open]'), function (el) {
    el.addEventListener('click', function () { var d = document.getElementById(el.getAttribute('data-open')); if (d) d.open = true; });
  });
  function all(open) { Array.prototype.forEach.call(document.querySelectorAll('details.failure'), function (d) { d.open = open; }); }
  document.getElementById('expand-all').addEventListener('click', function () { all(true); });
  document.getElementById('collapse-all').addEventListener('click', function () { all(false); });
  var closed = [];
  window.addEventListener('beforeprint', function () {
    closed = Array.prototype.filter.call(document.querySelectorAll('details.failure'), function (d) { return !d.open; });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () { closed.forEach(function (d) { d.open = false; }); closed = []; });
  if (location.hash.indexOf('#ev-') === 0) { var d = document.getElementById(location.hash.slice(1)); if (d) d.open = true; }
  apply();
})();
`;

function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/** Allows the page's own style and script, by hash, and nothing else (but data: images: the badge). */
export const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src ${cspHash(CSS)}; script-src ${cspHash(SCRIPT)}; img-src data:; base-uri 'none'; form-action 'none'`;
