#!/usr/bin/env bash
# The demo that `make demo` runs once PostgreSQL is up and reloc is built: migrate, load the
# Jilin 2014 reference data, show the register, and try the rules as a city government would.
# Usage: deploy/demo.sh PATH-TO-RELOC
set -euo pipefail
reloc="${1:-.build/debug/reloc}"

step() { printf '\n== %s\n' "$*"; }

step "reloc db migrate"
"$reloc" db migrate

step "reloc db status"
"$reloc" db status

step "reloc db seed jilin-2014 (吉政办发〔2014〕29号)"
"$reloc" db seed jilin-2014

step "reloc plan list"
"$reloc" plan list

step "reloc park list"
"$reloc" park list

step "reloc enterprise list"
"$reloc" enterprise list

step "the opinion names 13 enterprises but gives none a mode (未知): a receiving park waits for it (refused: exit 65), until 长春 sets it"
"$reloc" enterprise edit 1 --park CC-ZBZZ --as CC || echo "(exit $?)"
"$reloc" enterprise edit 1 --mode relocate --park CC-ZBZZ --as CC || echo "(exit $?)"
"$reloc" enterprise list --plan CC-KC

step "四平 registers an enterprise into its own plan (works; prints the new id)"
"$reloc" enterprise register --as SP --plan SP-TD --name "四平演示机械厂" --mode close --employees 320 \
    || echo "(exit $?)"

step "四平 tries to register into 长春's plan (refused: exit 77)"
"$reloc" enterprise register --as SP --plan CC-KC --name "越界企业" --mode close || echo "(exit $?)"

step "a chemical plant into a park without planning EIA (refused: exit 65, naming the rule)"
"$reloc" park show SP-DEMO >/dev/null 2>&1 \
    || "$reloc" park add SP-DEMO --as JL --name "四平演示园区(未通过规划环评)" --city SP --kind industrial-cluster \
        --established --env-infrastructure
"$reloc" enterprise register --as SP --plan SP-TD --name "四平演示化工厂" --mode relocate --park SP-DEMO \
    --high-risk chemicals || echo "(exit $?)"

step "reloc land usage (吉政办发〔2014〕29号 gives no quotas: an empty table until the province adds one with reloc land quota add --as JL …)"
"$reloc" land usage

step "the annex's tasks (附件 重点任务部门分工表)"
"$reloc" task list

step "省工业信息化厅's own tasks: reloc --as JL-GXT task list --mine"
"$reloc" --as JL-GXT task list --mine

step "省工业信息化厅 reports progress on task 3 (prints the report's id)"
"$reloc" task progress 3 --as JL-GXT --percent 40 --status at-risk \
    --note "已梳理拟淘汰落后产能企业名单，待财政厅确认支持资金" --evidence "吉工信发〔2014〕12号"

step "省科技厅 tries to report on task 3, not its task (refused: exit 77)"
"$reloc" task progress 3 --as JL-KJT --percent 10 --note "越权" || echo "(exit $?)"

step "reloc task show 3: departments, milestones and the progress history"
"$reloc" task show 3

step "the report is in the audit trail too: reloc --as JL-GXT audit --table progress_report"
"$reloc" --as JL-GXT audit --table progress_report

step "省自然资源厅 holds 省国土资源厅's tasks since the 2018 reform: reloc task show 14"
"$reloc" task show 14

step "milestones overdue or due within 30 days, as of 2014-12-15 (plan compilations due in 16 days)"
"$reloc" milestone list --as-of 2014-12-15 --overdue --due-within 30

step "reminder rules (reloc remind rules list): 30/7/1 days before, on the day, overdue day 1 and every 7, escalation at 14"
"$reloc" remind rules list

step "四平's contact for reminders (reloc remind contact add SP --email …)"
"$reloc" remind contact add SP --email ban@sp.gov.cn --name "市发改委" --as SP || echo "(exit $?)"

step "the daily reminder job as of 2014-12-01, every digest to stdout (each reminder is sent once: run it again and it sends nothing)"
"$reloc" remind run --as-of 2014-12-01 --channel stdout

step "the reminder digest as of 2015-01-05 before 四平's plan is compiled and approved (dry run; counted below)"
before="$("$reloc" remind run --as-of 2015-01-05 --dry-run)"
printf '%s\n' "$before" | tail -n 1

step "deadlines follow the work: 四平 compiles its plan (consultation 2014-12-10, risk assessment 2014-12-15), the province approves it on 2014-12-20"
"$reloc" plan advance SP-TD --to consultation --on 2014-12-10 --as SP || echo "(exit $?)"
"$reloc" plan advance SP-TD --to risk-assessed --on 2014-12-15 --as SP || echo "(exit $?)"
"$reloc" plan advance SP-TD --to approved --on 2014-12-20 --doc "吉政函〔2014〕138号" --as JL || echo "(exit $?)"

step "SP-TD's milestones: plan-compiled closed by the step to consultation, on its date (reloc milestone list --plan SP-TD --as-of 2015-01-05)"
"$reloc" milestone list --plan SP-TD --as-of 2015-01-05

step "an 'approved' milestone added after the approval is created done, never overdue"
"$reloc" milestone add --plan SP-TD --kind approved --title "实施方案经省政府批准" --due 2014-12-31 --as SP || echo "(exit $?)"
"$reloc" milestone list --plan SP-TD --as-of 2015-01-05

step "the reminder digest as of 2015-01-05 (dry run): 四平's compilation is no longer chased, the other plans' still are"
after="$("$reloc" remind run --as-of 2015-01-05 --dry-run)"
printf '%s\n' "$after"
# Items are the numbered lines of the digests; digests the messages planned.
items() { grep -cE '^[0-9]+\. ' <<<"$1" || true; }
digests() { grep -oE 'planned [0-9]+' <<<"$1" | grep -oE '[0-9]+' || echo 0; }
echo "approval closed SP-TD's milestones: the digest as of 2015-01-05 went from $(items "$before") items in" \
    "$(digests "$before") digests to $(items "$after") in $(digests "$after")"

step "the board as of 2015-01-05 (reloc board): milestones per traffic light (红黄绿灯) per city, the total first, red first"
"$reloc" board --as-of 2015-01-05

step "a bulletin (通报) for 2014-Q4 as of 2015-01-05, drafted in Markdown (reloc bulletin draft --period 2014-Q4 --format markdown)"
"$reloc" bulletin draft --period 2014-Q4 --as-of 2015-01-05 --format markdown
