"""The HTML report's style sheet: calm on screen, and A4 pages when printed."""

CSS = """
:root { --ink:#1d2b36; --muted:#5b6770; --line:#d8dee4; --blue:#005EB8; --pale:#eef4fa;
        --green:#009639; --amber:#ED8B00; --soft:#f6f8fa; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #e9edf1; color: var(--ink);
       font: 15px/1.5 "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif; }
main { max-width: 210mm; margin: 24px auto; background: white; padding: 18mm 16mm;
       box-shadow: 0 2px 12px rgba(0,0,0,.08); }
header.cover { border-bottom: 4px solid var(--blue); padding-bottom: 14px; margin-bottom: 20px; }
header.cover .kicker { color: var(--blue); font-weight: 700; letter-spacing: .06em;
       text-transform: uppercase; font-size: 12px; }
h1 { font-size: 28px; line-height: 1.2; margin: 6px 0 4px; }
header.cover .period { font-size: 18px; color: var(--ink); }
nav.contents { margin-top: 10px; font-size: 13px; }
nav.contents a { color: var(--blue); text-decoration: none; }
@media print { nav.contents { display: none; } }
header.cover .made { color: var(--muted); font-size: 13px; margin-top: 6px; }
h2 { font-size: 21px; color: var(--blue); margin: 30px 0 6px; padding-top: 6px;
     border-top: 1px solid var(--line); break-after: avoid; }
h2 .tag { display: inline-block; font-size: 11px; font-weight: 700; color: white;
          background: var(--blue); border-radius: 3px; padding: 1px 7px; margin-right: 8px;
          vertical-align: 3px; letter-spacing: .05em; text-transform: uppercase; }
h3 { font-size: 16px; margin: 20px 0 6px; break-after: avoid; }
p { margin: 6px 0 10px; }
.meaning { background: var(--pale); border-left: 4px solid var(--blue); padding: 8px 12px;
           margin: 8px 0 14px; font-size: 14px; break-inside: avoid; }
.meaning b { color: var(--blue); }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px;
        background: var(--soft); break-inside: avoid; }
.card .n { font-size: 24px; font-weight: 700; color: var(--blue); line-height: 1.1; }
.card .what { font-size: 12.5px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 13.5px;
        break-inside: avoid; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: right;
         vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
thead th { background: var(--soft); font-weight: 600; border-bottom: 2px solid var(--line); }
tr.total td, td.total, th.total { font-weight: 700; }
td.small { color: var(--muted); font-style: italic; }
table.equality { font-size: 12px; }
table.equality td { white-space: nowrap; padding: 4px 6px; }
table.equality th { padding: 4px 6px; font-size: 11.5px; }
.legend { font-size: 12.5px; color: var(--muted); }
#summary h2 { border-top: 0; margin-top: 8px; }
td.hidden { color: var(--muted); }
td.under { color: #9a4b00; font-weight: 700; }
table.words td { text-align: left; }
figure { margin: 10px 0 18px; break-inside: avoid; text-align: center; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 12.5px; color: var(--muted); text-align: left; margin-top: 4px; }
.consultation { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px;
                margin: 10px 0; break-inside: avoid; }
.consultation h4 { margin: 0 0 4px; font-size: 15px; }
.consultation .facts { color: var(--muted); font-size: 13px; }
.ysyd { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 14px; margin-top: 8px; }
.ysyd div { font-size: 13.5px; }
.ysyd .label { font-weight: 700; color: var(--blue); display: block; font-size: 12px;
               text-transform: uppercase; letter-spacing: .04em; }
.ysyd .notyet { color: #9a4b00; }
.note { color: var(--muted); font-size: 13px; }
footer { margin-top: 28px; border-top: 1px solid var(--line); padding-top: 8px;
         color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 14mm 13mm; }
@media print {
  body { background: white; font-size: 12.5px; }
  main { box-shadow: none; margin: 0; padding: 0; max-width: none; }
  h2 { break-before: auto; }
  section.part { break-before: page; }
  .cards { grid-template-columns: repeat(4, 1fr); }
}
@media (max-width: 700px) {
  main { padding: 16px; }
  .cards { grid-template-columns: repeat(2, 1fr); }
  .ysyd { grid-template-columns: 1fr; }
}
"""
