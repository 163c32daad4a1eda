/// The one stylesheet (no external fonts or assets: intranets have no internet). Readable at
/// 1366×768; printed on A4 without navigation or forms.
enum Stylesheet {
    static let css = """
        body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "SimSun", sans-serif; margin: 0; color: #1a1a1a;
               background: #fafafa; font-size: 15px; line-height: 1.5; }
        header { background: #8b1a1a; color: #fff; padding: 0.5em 1.5em; display: flex; align-items: center;
                 gap: 2em; flex-wrap: wrap; }
        header h1 { font-size: 1.15em; margin: 0; }
        nav a { color: #fff; margin-right: 1.2em; text-decoration: none; }
        nav a:hover { text-decoration: underline; }
        nav .who { margin: 0 1em; opacity: 0.85; }
        main { max-width: 1300px; margin: 0 auto; padding: 1em 1.5em; }
        h2 { font-size: 1.3em; border-bottom: 2px solid #8b1a1a; padding-bottom: 0.2em; }
        h3 { font-size: 1.05em; margin-top: 1.5em; }
        table { border-collapse: collapse; width: 100%; background: #fff; font-size: 0.93em; }
        th, td { border: 1px solid #ccc; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
        th { background: #f0e6e6; }
        td { word-break: break-word; white-space: pre-wrap; }
        form.inline { display: inline; }
        form.signin, form.report, form.done { display: grid; gap: 0.6em; max-width: 32em; background: #fff;
                                              padding: 1em; border: 1px solid #ccc; }
        label { display: grid; gap: 0.2em; }
        input, select, textarea, button { font: inherit; padding: 0.3em; }
        button { background: #8b1a1a; color: #fff; border: 0; padding: 0.35em 1.2em; cursor: pointer; }
        .error { background: #fdecea; border-left: 4px solid #b00020; padding: 0.6em 1em; white-space: pre-wrap; }
        .empty, .note { color: #666; }
        svg.timeline, svg.bars { background: #fff; border: 1px solid #ccc; display: block; max-width: 1000px; }
        svg .label, svg .year { font-size: 11px; fill: #1a1a1a; }
        svg .tick { stroke: #ddd; } svg .today { stroke: #b00020; stroke-dasharray: 3 3; }
        svg .ontime { stroke: #2e7d32; stroke-width: 3; } svg .late { stroke: #b00020; stroke-width: 3; }
        svg .overdue { stroke: #b00020; stroke-width: 2; stroke-dasharray: 4 3; }
        svg .due { fill: #fff; stroke: #1a1a1a; stroke-width: 1.5; } svg .done { fill: #1a1a1a; }
        svg .quota { fill: #f0e6e6; stroke: #8b1a1a; } svg .allocated { fill: #8b1a1a; } svg .over { fill: #b00020; }
        table.record th { width: 14em; }
        @media print {
            @page { size: A4; margin: 15mm; }
            body { background: #fff; font-size: 10.5pt; }
            header nav, form, button { display: none; }
            header { background: none; color: #000; padding: 0; }
            main { max-width: none; padding: 0; }
            a { color: #000; text-decoration: none; }
            table { page-break-inside: auto; }
            tr { page-break-inside: avoid; }
            svg.timeline, svg.bars { page-break-inside: avoid; max-width: 180mm; }
        }
        """
}
