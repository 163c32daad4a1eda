#!/usr/bin/env bash
# The workbooks' benchmark (make bench; issue 17, "Performance"), release build:
#   - `reloc enterprise list --format xlsx` of 100,000 enterprises (goal: under 10 s), with the
#     command's peak RSS (GNU time's maximum resident set, or getrusage when time is missing) at
#     10,000 and at 100,000 rows: bounded memory means the two are nearly equal (the rows are read
#     as they arrive and written at once; docs/usage/excel-and-calendars.md); the same for CSV;
#   - `reloc enterprise import` of that workbook vs the import of the same rows as CSV, each on a
#     fresh copy of the seeded database (goal: the workbook's throughput ≥ 50 % of the CSV's).
# Best of BENCH_REPEAT runs (default 3): the machine is shared.
# Usage: deploy/bench/excel-bench.sh [PATH-TO-RELOC]   (BENCH_XLSX_ROWS, default 100000)
set -euo pipefail
# The real psql, not Debian's /usr/bin/psql: that is pg_wrapper, a Perl script that costs about
# 45 ms of CPU a call before psql starts; timed beside reloc it would flatter every ratio.
PATH="$("$(dirname "$0")/../local-postgres.sh" bindir):$PATH"
reloc="${1:-.build-release/release/reloc}"
[ -x "$reloc" ] || reloc=.build/debug/reloc
echo "binary: $reloc"
rows="${BENCH_XLSX_ROWS:-100000}"
repeat="${BENCH_REPEAT:-3}"
export RELOC_STATEMENT_TIMEOUT_MS="${RELOC_STATEMENT_TIMEOUT_MS:-600000}"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
admin_url="${DATABASE_URL:?run through make bench, or eval \"\$(deploy/local-postgres.sh env)\" first}"
url_of() {
    python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(f"{p.scheme}://{p.netloc}/{sys.argv[2]}" + (f"?{p.query}" if p.query else ""))' "$admin_url" "$1"
}
seeded_url="$(url_of reloc_xlsx_seeded)"
full_url="$(url_of reloc_xlsx_full)"
run_url="$(url_of reloc_xlsx_run)"
small_url="$(url_of reloc_xlsx_small)"
work="$(mktemp -d)"
drop_all() {
    for db in reloc_xlsx_run reloc_xlsx_full reloc_xlsx_small reloc_xlsx_seeded; do
        psql "$admin_url" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
}
trap 'rm -rf "$work"; drop_all' EXIT
drop_all
psql "$admin_url" -qc "CREATE DATABASE reloc_xlsx_seeded" >/dev/null
DATABASE_URL="$seeded_url" "$reloc" db migrate >/dev/null
DATABASE_URL="$seeded_url" "$reloc" db seed jilin-2014 >/dev/null
psql "$seeded_url" -qc "VACUUM ANALYZE" >/dev/null

awk -v rows="$rows" 'BEGIN {
    print "plan,name,mode,industry,employees,site_ha"
    for (i = 1; i <= rows; i++)
        printf "SP-TD,四平企业%07d,%s,机械制造,%d,%.1f\n", i, (i % 2 ? "in-situ" : "close"), i % 500 + 1, (i % 1000) / 10
}' >"$work/enterprises.csv"
psql "$admin_url" -qc "CREATE DATABASE reloc_xlsx_full TEMPLATE reloc_xlsx_seeded" >/dev/null
DATABASE_URL="$full_url" "$reloc" enterprise import "$work/enterprises.csv" --as SP --quiet >/dev/null
small_rows=$((rows / 10))
head -n $((small_rows + 1)) "$work/enterprises.csv" >"$work/small.csv"
psql "$admin_url" -qc "CREATE DATABASE reloc_xlsx_small TEMPLATE reloc_xlsx_seeded" >/dev/null
DATABASE_URL="$small_url" "$reloc" enterprise import "$work/small.csv" --as SP --quiet >/dev/null

seconds() {
    local start end
    start=$(date +%s.%N)
    "$@" >"$work/last.out" 2>&1 || { echo "failed: $*" >&2; cat "$work/last.out" >&2; exit 1; }
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}
best() { printf '%s\n' "$@" | sort -g | head -n1; }
# peak_rss COMMAND…: the command's maximum resident set, in MB.
peak_rss() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>&1
        echo "$(($(cat "$work/rss") / 1024))"
    else
        python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)' "$@"
    fi
}

export_times=()
for _ in $(seq "$repeat"); do
    export_times+=("$(seconds env DATABASE_URL="$full_url" "$reloc" enterprise list --format xlsx --quiet --output "$work/enterprises.xlsx")")
done
export_best=$(best "${export_times[@]}")
rss=$(peak_rss env DATABASE_URL="$full_url" "$reloc" enterprise list --format xlsx --quiet --output "$work/rss.xlsx")
rss_small=$(peak_rss env DATABASE_URL="$small_url" "$reloc" enterprise list --format xlsx --quiet --output "$work/rss.xlsx")
csv_rss=$(peak_rss env DATABASE_URL="$full_url" "$reloc" enterprise list --format csv)
csv_rss_small=$(peak_rss env DATABASE_URL="$small_url" "$reloc" enterprise list --format csv)
size=$(($(stat -c %s "$work/enterprises.xlsx") / 1024))

# The same rows as a workbook to import: the export's columns are not the import's, so the
# workbook is the CSV's rows, typed (numbers as numbers), written by an independent writer.
python3 - "$work/enterprises.csv" "$work/import.xlsx" <<'PY'
import csv, sys, zipfile
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8')))
strings, index = [], {}
def s(text):
    if text not in index:
        index[text] = len(strings); strings.append(text)
    return index[text]
def col(i): return chr(65 + i)
sheet = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
for r, row in enumerate(rows, start=1):
    cells = []
    for c, value in enumerate(row):
        if r > 1 and c in (4, 5):
            cells.append(f'<c r="{col(c)}{r}"><v>{value}</v></c>')
        else:
            cells.append(f'<c r="{col(c)}{r}" t="s"><v>{s(value)}</v></c>')
    sheet.append(f'<row r="{r}">' + ''.join(cells) + '</row>')
sheet.append('</sheetData></worksheet>')
esc = lambda t: t.replace('&', '&amp;').replace('<', '&lt;')
sst = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + ''.join(f'<si><t>{esc(t)}</t></si>' for t in strings) + '</sst>'
main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
rel = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
with zipfile.ZipFile(sys.argv[2], 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>')
    z.writestr('_rels/.rels', f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    z.writestr('xl/workbook.xml', f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="企业台账" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr('xl/_rels/workbook.xml.rels', f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    z.writestr('xl/worksheets/sheet1.xml', ''.join(sheet))
    z.writestr('xl/sharedStrings.xml', sst)
PY

csv_times=() xlsx_times=()
for _ in $(seq "$repeat"); do
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS reloc_xlsx_run WITH (FORCE)" \
        -c "CREATE DATABASE reloc_xlsx_run TEMPLATE reloc_xlsx_seeded" >/dev/null
    csv_times+=("$(seconds env DATABASE_URL="$run_url" "$reloc" enterprise import "$work/enterprises.csv" --as SP --quiet)")
    psql "$admin_url" -qc "DROP DATABASE IF EXISTS reloc_xlsx_run WITH (FORCE)" \
        -c "CREATE DATABASE reloc_xlsx_run TEMPLATE reloc_xlsx_seeded" >/dev/null
    xlsx_times+=("$(seconds env DATABASE_URL="$run_url" "$reloc" enterprise import "$work/import.xlsx" --as SP --quiet)")
done
csv_best=$(best "${csv_times[@]}")
xlsx_best=$(best "${xlsx_times[@]}")
percent=$(echo "scale=4; 100 * $csv_best / $xlsx_best" | bc | xargs printf '%.1f')

printf '%-34s %-8s %-10s\n' measure rows value
printf '%-34s %-8s %-10.3f\n' "export --format xlsx (s)" "$rows" "$export_best"
printf '%-34s %-8s %-10s\n' "export peak RSS (MB)" "$small_rows" "$rss_small"
printf '%-34s %-8s %-10s\n' "export peak RSS (MB)" "$rows" "$rss"
printf '%-34s %-8s %-10s\n' "export --format csv peak RSS (MB)" "$small_rows" "$csv_rss_small"
printf '%-34s %-8s %-10s\n' "export --format csv peak RSS (MB)" "$rows" "$csv_rss"
printf '%-34s %-8s %-10s\n' "workbook size (KB)" "$rows" "$size"
printf '%-34s %-8s %-10.3f\n' "import CSV (s)" "$rows" "$csv_best"
printf '%-34s %-8s %-10.3f\n' "import xlsx (s)" "$rows" "$xlsx_best"
printf '%-34s %-8s %-10s\n' "xlsx throughput, % of CSV's" "$rows" "$percent"
echo "goals: export < 10 s in bounded memory (peak RSS at $rows rows within a few MB of that at $small_rows); xlsx import ≥ 50 % of the CSV import's throughput (best of $repeat)"
