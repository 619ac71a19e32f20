/// The report's inline stylesheet: no fonts, scripts or images from the network.
enum HTMLStyle {
    static let css = """
    :root{--bg:#f5f7fb;--card:#fff;--ink:#1d2433;--muted:#69738a;--line:#e3e7ef;--ok:#1f9d55;--bad:#d64545;--accent:#4f7cff}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.45 -apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
    main{max-width:1140px;margin:0 auto;padding:24px}
    header{display:flex;justify-content:space-between;align-items:flex-start;gap:16px;margin-bottom:18px}
    h1{font-size:24px;margin:0 0 4px}
    h2{font-size:16px;margin:26px 0 10px;color:var(--ink)}
    h3{font-size:13px;margin:0 0 6px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.04em}
    .meta{color:var(--muted);font-size:13px}
    .meta span{margin-right:14px}
    .badge{font-weight:700;font-size:15px;padding:8px 16px;border-radius:999px;color:#fff;white-space:nowrap}
    .badge.pass{background:var(--ok);color:#fff}.badge.fail{background:var(--bad);color:#fff}.badge.none{background:var(--muted);color:#fff}
    .tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px}
    .tile{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
    .tile b{display:block;font-size:22px;font-weight:650;margin-top:2px}
    .tile small{color:var(--muted)}
    .tile.bad b{color:var(--bad)}
    .charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px}
    .chart{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 14px}
    .chart svg{width:100%;height:auto;display:block}
    .chart.empty p{color:var(--muted)}
    .grid{stroke:var(--line);stroke-width:1}
    .axis{stroke:#b8c0d0;stroke-width:1}
    .tick{fill:var(--muted);font-size:10px}
    .label{fill:var(--muted);font-size:11px}
    .line{fill:none;stroke-width:2;stroke-linejoin:round}
    .area{opacity:.15}
    .legend{display:flex;flex-wrap:wrap;gap:12px;font-size:12px;color:var(--muted);margin-top:4px}
    .legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
    table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:10px;overflow:hidden}
    th,td{text-align:left;padding:8px 12px;border-bottom:1px solid var(--line);font-size:13px}
    th{background:#f0f3f9;color:var(--muted);font-weight:600}
    td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
    code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
    .pass{color:var(--ok);font-weight:650}.fail{color:var(--bad);font-weight:650}
    .two{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px}
    footer{color:var(--muted);font-size:12px;margin-top:28px}
    @media (max-width:800px){.charts,.two{grid-template-columns:1fr}}
    """
}
