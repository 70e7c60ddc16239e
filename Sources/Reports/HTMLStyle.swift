/// The report's one stylesheet, inline: system font stacks only (nothing is fetched), and a print
/// style that keeps the colors and patterns and avoids splitting a panel across pages.
enum HTMLStyle {
    static let css = """
    :root { --ink: #1d1d1d; --muted: #555; --rule: #d4d4d4; --panel: #f7f7f5; }
    * { box-sizing: border-box; }
    html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    body { margin: 0 auto; max-width: 1120px; padding: 18px 22px 40px; color: var(--ink); background: #fff;
           font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
    h1 { font-size: 24px; margin: 0 0 2px; }
    h2 { font-size: 19px; margin: 28px 0 8px; padding-bottom: 3px; border-bottom: 2px solid var(--ink); }
    h3 { font-size: 16px; margin: 18px 0 6px; }
    p { margin: 6px 0; }
    code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 13px; }
    .lede { font-size: 18px; font-weight: 600; margin: 4px 0 10px; }
    .facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 14px; margin: 8px 0 12px; font-size: 14px; }
    .facts dt { color: var(--muted); }
    .facts dd { margin: 0; }
    .glance { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; margin: 10px 0; }
    .card { border: 1px solid var(--rule); border-left: 6px solid #777; border-radius: 4px; padding: 8px 12px; background: var(--panel); }
    .card h3 { margin: 0 0 4px; font-size: 15px; text-transform: uppercase; letter-spacing: .03em; }
    .card ul { margin: 4px 0 0; padding-left: 18px; }
    .card.cut { border-left-color: #1b1b1b; }
    .card.blocked { border-left-color: #d55e00; }
    .card.fine { border-left-color: #009e73; }
    .summary { margin: 8px 0; padding-left: 20px; }
    .summary li { margin: 3px 0; }
    .caveat { color: var(--muted); font-size: 14px; }
    figure { margin: 8px 0 4px; }
    figcaption { font-size: 13px; color: var(--muted); }
    svg.chart { display: block; width: 100%; height: auto; }
    svg text { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif; }
    .axis { font-size: 11px; fill: #444; }
    .grid { stroke: #000; stroke-opacity: .12; stroke-width: 1; }
    .lane-name { font-size: 13px; font-weight: 700; fill: #111; }
    .lane-note { font-size: 11px; fill: #444; }
    .lane-how { font-size: 11px; font-weight: 600; fill: #111; }
    .seg-label { font-size: 11px; font-weight: 600; paint-order: stroke; stroke-width: 3px; stroke-linejoin: round; }
    .seg-label.dark { fill: #111; stroke: #fff; }
    .seg-label.light { fill: #fff; stroke: #111; }
    .legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 13px; margin: 6px 0; padding: 0; list-style: none; }
    .legend li { display: flex; align-items: center; gap: 5px; }
    .legend svg { width: 26px; height: 14px; border: 1px solid #999; }
    table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
    th, td { text-align: left; vertical-align: top; padding: 3px 8px; border-bottom: 1px solid var(--rule); }
    th { background: var(--panel); }
    td.n { text-align: right; font-variant-numeric: tabular-nums; }
    td.nowrap { white-space: nowrap; }
    .seen { margin-left: 8px; font-size: 12px; font-weight: 700; padding: 0 6px; border-radius: 3px; background: #fde6d3; border: 1px solid #d55e00; }
    .tag { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; font-weight: 700; border: 1px solid #0003; }
    details { margin: 4px 0 10px; }
    details > summary { cursor: pointer; color: #0b4f8a; font-size: 14px; }
    .event { border: 1px solid var(--rule); border-radius: 4px; padding: 8px 12px; margin: 10px 0; break-inside: avoid; }
    .event h3 { margin: 0 0 4px; }
    .event dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 4px 0; font-size: 14px; }
    .event dt { color: var(--muted); }
    .event dd { margin: 0; }
    .flows td { font-size: 12px; }
    .filter { user-select: all; -webkit-user-select: all; display: inline-block; background: #eef3f8; border: 1px solid #c9d6e3;
              padding: 1px 5px; border-radius: 3px; overflow-wrap: anywhere; }
    .notes dt { font-weight: 700; margin-top: 6px; }
    .notes dd { margin: 0 0 4px 18px; }
    pre { background: var(--panel); padding: 8px 10px; overflow-x: auto; font-size: 12px; }
    footer { margin-top: 30px; color: var(--muted); font-size: 12px; }
    @media (max-width: 760px) { .glance { grid-template-columns: 1fr; } .facts { grid-template-columns: max-content 1fr; } }
    @media print {
      body { max-width: none; padding: 0; font-size: 11pt; }
      h2 { break-after: avoid; }
      figure, .card, .event, table, tr { break-inside: avoid; }
      details > summary { display: none; }
      .filter { background: none; border: 0; padding: 0; }
      a { color: inherit; text-decoration: none; }
    }
    """
}
